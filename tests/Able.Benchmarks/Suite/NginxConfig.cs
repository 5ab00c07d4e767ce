namespace Able.Benchmarks.Suite;

/// <summary>
/// nginx as a plain reverse proxy in front of the bench origin: one worker, upstream keepalive (HTTP/1.1 to the
/// origin, the Connection header cleared), no access log; every path it writes is under the bench's state folder.
/// </summary>
internal static class NginxConfig
{
    public static string Write(string stateDirectory, BenchPorts ports)
    {
        var prefix = Path.Combine(stateDirectory, "nginx");
        Directory.CreateDirectory(prefix);
        var config = $$"""
            worker_processes 1;
            daemon off;
            pid {{prefix}}/nginx.pid;
            error_log {{stateDirectory}}/logs/nginx-error.log warn;
            events { worker_connections 4096; }
            http {
                access_log off;
                client_body_temp_path {{prefix}}/client_body;
                proxy_temp_path {{prefix}}/proxy;
                fastcgi_temp_path {{prefix}}/fastcgi;
                uwsgi_temp_path {{prefix}}/uwsgi;
                scgi_temp_path {{prefix}}/scgi;
                upstream origin {
                    server 127.0.0.1:{{ports.Origin}};
                    keepalive 64;
                }
                server {
                    listen 127.0.0.1:{{ports.Nginx}};
                    location / {
                        proxy_pass http://origin;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host $host;
                    }
                }
            }
            """;
        var path = Path.Combine(prefix, "nginx.conf");
        File.WriteAllText(path, config);
        return path;
    }
}
