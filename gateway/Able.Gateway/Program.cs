using Able.Gateway;
using Able.Hosting;

return await AbleHost.RunAsync(args, GatewayApp.Build);
