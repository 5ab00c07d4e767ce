using Able.Attribution.Service;
using Able.Hosting;

return await AbleHost.RunAsync(args, AttributionApp.Build);
