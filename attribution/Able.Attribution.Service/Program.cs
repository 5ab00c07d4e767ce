using Able.Attribution.Service;
using Able.Attribution.Service.Commands;
using Able.Hosting;

// ./able calendly: connect a funnel's webhook subscription, or show its status (Commands/CalendlyCommand.cs); otherwise the service.
return args is ["calendly", .. var calendlyArgs] ? await CalendlyCommand.RunAsync(calendlyArgs, Console.Out, Console.Error) :
    await AbleHost.RunAsync(args, AttributionApp.Build);
