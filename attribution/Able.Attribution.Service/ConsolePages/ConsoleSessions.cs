using System.Security.Cryptography;
using System.Text;
using Able.Schema.Configuration;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Service.ConsolePages;

/// <summary>
/// Console logins. A session is a random 256-bit id kept in <see cref="IDistributedCache"/> (Redis, so every replica
/// knows it) under the SHA-256 of the id, with a sliding expiry of <c>Able:Admin:SessionMinutes</c>; the browser holds
/// the id protected by Data Protection (key ring shared in Redis) in an HttpOnly, SameSite=Strict cookie on /console.
/// </summary>
public sealed class ConsoleSessions(IDistributedCache cache, IDataProtectionProvider protection, IOptionsMonitor<AbleOptions> options)
{
    public const string CookieName = "able_console";
    public const string CookiePath = "/console";

    private readonly IDataProtector protector = protection.CreateProtector("Able.Console.Session.v1");

    /// <summary>Starts a session and sets its cookie.</summary>
    public async Task StartAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var id = Base64Url(RandomNumberGenerator.GetBytes(32));
        var minutes = options.CurrentValue.Admin.SessionMinutes;
        await cache.SetStringAsync(CacheKey(id), "1", new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(minutes) },
            context.RequestAborted);
        context.Response.Cookies.Append(CookieName, protector.Protect(id), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = CookiePath,
            IsEssential = true,
        });
    }

    /// <summary>True when the request carries the cookie of a live session (whose expiry this use slides).</summary>
    public async Task<bool> IsActiveAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var id = SessionId(context);
        return id is not null && await cache.GetAsync(CacheKey(id), context.RequestAborted) is not null;
    }

    /// <summary>Deletes the request's session (when it has one) and its cookie.</summary>
    public async Task EndAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (SessionId(context) is { } id)
        {
            await cache.RemoveAsync(CacheKey(id), context.RequestAborted);
        }

        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = CookiePath, HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps });
    }

    /// <summary>The session id in the request's cookie; null when there is none or it was not protected by our key ring.</summary>
    private string? SessionId(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var protectedId) || string.IsNullOrEmpty(protectedId) || protectedId.Length > 1024)
        {
            return null;
        }

        try
        {
            var id = protector.Unprotect(protectedId);
            return id.Length == 43 ? id : null;
        }
        catch (Exception error) when (error is CryptographicException or FormatException)
        {
            // Tampered with, made by another key ring, or expired keys: no session.
            return null;
        }
    }

    /// <summary>Redis holds the hash of the id, so a read of the cache does not hand out live session ids.</summary>
    private static string CacheKey(string id) => "console-session:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(id)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
