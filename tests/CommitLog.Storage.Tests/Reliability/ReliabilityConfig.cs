using System.Globalization;

namespace CommitLog.Storage.Tests.Reliability;

/// <summary>Iteration counts of the reliability tests: short defaults for CI, raised by environment variables for long runs.</summary>
internal static class ReliabilityConfig
{
    public static int Int(string variable, int defaultValue)
        => int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : defaultValue;
}
