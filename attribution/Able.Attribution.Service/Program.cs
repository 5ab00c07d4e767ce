using Able.Attribution.Service;
using Able.Attribution.Service.Commands;
using Able.Hosting;

// ./able tiktok check: one test event to a funnel's pixel (Commands/TikTokCheckCommand.cs); otherwise the service.
return args is ["tiktok", .. var tikTokArgs] ? await TikTokCheckCommand.RunAsync(tikTokArgs, Console.Out, Console.Error) :
    await AbleHost.RunAsync(args, AttributionApp.Build);
