using Able.Attribution.Service;
using Able.Attribution.Service.Commands;
using Able.Hosting;

// ./able calendly: connect a funnel's webhook subscription, or show its status (Commands/CalendlyCommand.cs);
// ./able tiktok check: one test event to a funnel's pixel (Commands/TikTokCheckCommand.cs);
// ./able ga4 check: one sample event to GA4's validation server (Commands/Ga4CheckCommand.cs); otherwise the service.
return args switch
{
    ["calendly", .. var calendlyArgs] => await CalendlyCommand.RunAsync(calendlyArgs, Console.Out, Console.Error),
    ["tiktok", .. var tikTokArgs] => await TikTokCheckCommand.RunAsync(tikTokArgs, Console.Out, Console.Error),
    ["ga4", .. var ga4Args] => await Ga4CheckCommand.RunAsync(ga4Args, Console.Out, Console.Error),
    _ => await AbleHost.RunAsync(args, AttributionApp.Build),
};
