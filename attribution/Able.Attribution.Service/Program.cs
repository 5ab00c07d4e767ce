using Able.Attribution.Hosting;
using Able.Attribution.Service;

return await AbleHost.RunAsync(args, AttributionApp.Build);
