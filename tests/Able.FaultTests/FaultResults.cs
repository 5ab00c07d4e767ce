using System.Globalization;

namespace Able.FaultTests;

/// <summary>
/// The results table of a run, one row per scenario, in <c>.able/faults/results-&lt;bookings&gt;.md</c> under the
/// repository root, started afresh by each test run (./able test --faults prints it at the end).
/// </summary>
internal static class FaultResults
{
    private static readonly Lock Gate = new();
    private static bool startedThisRun;

    public static string FilePath { get; } = Path.Combine(RepositoryRoot.Path, ".able", "faults", $"results-{FaultRun.Bookings}.md");

    public static void Record(FaultOutcome outcome, int kills, IEnumerable<string> notesOfTheRun)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var answers = outcome.Report.Answers.Where(a => a.Key != "202").OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}×{a.Value}");
        var notes = string.Join("; ", notesOfTheRun.Append(string.Join(" ", answers)).Where(n => n.Length > 0));
        if (kills > 0)
        {
            notes = $"{kills} kills, duplicates from {outcome.BatchesWithDuplicates} in-flight requests; " + notes;
        }

        var row = string.Create(CultureInfo.InvariantCulture,
            $"| {outcome.Scenario} | {outcome.Report.Sent} | {outcome.Report.Attempts} | {outcome.Report.Accepted} | {outcome.Delivered} | {outcome.Lost.Count} | {outcome.DuplicateCount} | {outcome.Drain.TotalSeconds:F1} s | {notes} |");
        lock (Gate)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            if (!startedThisRun)
            {
                // A new run starts a new table.
                startedThisRun = true;
                File.WriteAllLines(FilePath,
                [
                    "| scenario | sent | attempts | accepted | delivered | lost | duplicated | drain time | other answers to the sender |",
                    "|---|---:|---:|---:|---:|---:|---:|---:|---|",
                ]);
            }

            File.AppendAllLines(FilePath, [row]);
        }
    }
}
