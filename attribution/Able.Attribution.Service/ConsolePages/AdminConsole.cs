namespace Able.Attribution.Service.ConsolePages;

/// <summary>The console (server-rendered pages, <c>/console/...</c>) on the management port. CONTRACT: to be implemented.</summary>
public static class AdminConsole
{
    public static IServiceCollection AddAdminConsole(this IServiceCollection services) => services;

    public static WebApplication MapAdminConsole(this WebApplication app) => app;
}
