using Able.Attribution.Hosting;
using Able.Gateway;

return await AbleHost.RunAsync(args, GatewayApp.Build);
