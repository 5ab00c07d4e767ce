using Able.Gateway;
using Able.Gateway.Acme;
using Able.Hosting;

// ./able certs: certbot for every funnel's hosts (Acme/CertbotCommand.cs); otherwise the gateway.
return args is ["certs", .. var rest]
    ? await CertbotCommand.RunAsync(rest, Console.Out, Console.Error)
    : await AbleHost.RunAsync(args, GatewayApp.Build);
