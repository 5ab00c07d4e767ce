namespace Able.Attribution.Service.Admin;

/// <summary>The admin API (JSON, <c>/admin/api/...</c>) on the management port. CONTRACT: to be implemented.</summary>
public static class AdminApi
{
    public static IServiceCollection AddAdminApi(this IServiceCollection services)
    {
        services.AddSingleton<AdminToken>();
        services.AddSingleton<FailedAttemptLimiter>();
        return services;
    }

    public static WebApplication MapAdminApi(this WebApplication app) => app;
}
