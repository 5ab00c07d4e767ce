namespace Able.Gateway.Acme;

/// <summary>Reads why certbot failed from what it printed. Outside input: never throws, always returns a reason.</summary>
internal static class CertbotOutput
{
    private static readonly string[] Noise =
    [
        "Saving debug log", "Ask for help", "See the logfile", "Requesting a certificate", "Renewing an existing certificate",
        "Account registered", "Some challenges have failed", "Certbot failed to authenticate", "The Certificate Authority reported",
        "Hint:", "- - - -", "Simulating",
    ];

    /// <summary>
    /// The CA's problems (<c>Domain:</c>/<c>Detail:</c> lines), else the error after "An unexpected error occurred:", else the
    /// first line that is not certbot's boilerplate, else the exit code.
    /// </summary>
    public static string FailureReason(string? standardOutput, string? standardError, int exitCode)
    {
        var lines = ((standardError ?? "") + "\n" + (standardOutput ?? ""))
            .Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0)
            .ToList();

        var problems = new List<string>();
        string? domain = null;
        foreach (var line in lines)
        {
            if (line.StartsWith("Domain:", StringComparison.Ordinal))
            {
                domain = line["Domain:".Length..].Trim();
            }
            else if (line.StartsWith("Detail:", StringComparison.Ordinal))
            {
                var detail = line["Detail:".Length..].Trim();
                problems.Add(domain is null ? detail : $"{domain}: {detail}");
                domain = null;
            }
        }

        if (problems.Count > 0)
        {
            return string.Join("; ", problems.Distinct(StringComparer.Ordinal));
        }

        var unexpected = lines.FindIndex(line => line.StartsWith("An unexpected error occurred", StringComparison.Ordinal));
        if (unexpected >= 0 && unexpected + 1 < lines.Count)
        {
            return lines[unexpected + 1];
        }

        var first = lines.FirstOrDefault(line => !Noise.Any(noise => line.StartsWith(noise, StringComparison.Ordinal)));
        return first ?? $"certbot exited with code {exitCode} and printed nothing useful";
    }
}
