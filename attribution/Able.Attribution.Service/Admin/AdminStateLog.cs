using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Service.Admin;

/// <summary>Says once at start whether the admin API and console are on (a token is configured) or off.</summary>
internal sealed class AdminStateLog(AdminToken token, IOptionsMonitor<AbleOptions> options, ILogger<AdminStateLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (token.Enabled)
        {
            AdminLog.AdminOn(logger, options.CurrentValue.Attribution.ManagementUrl);
        }
        else
        {
            AdminLog.AdminOff(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
