using System.Globalization;

namespace CommitLog;

/// <summary>
/// The string-to-typed parsing shared by <see cref="ProducerConfig"/>, <see cref="ConsumerConfig"/> and
/// <see cref="TopicConfig"/>: one place for key checks, number and choice parsing, range checks and messages.
/// Every error names the setting, the value and what is allowed.
/// </summary>
internal static class ConfigParser
{
    /// <summary>
    /// Checks every entry and yields the known ones with trimmed values; collects network-only keys in
    /// <paramref name="ignored"/>. Unknown, duplicate, unsupported and null entries throw.
    /// </summary>
    public static IEnumerable<(string Key, string Value)> KnownEntries(
        IEnumerable<KeyValuePair<string, string>> settings, ConfigSchema schema, List<string> ignored)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> entry in settings)
        {
            string key = entry.Key ?? throw new ArgumentException($"A {schema.Name} setting has a null key.", nameof(settings));
            if (!seen.Add(key))
            {
                throw new ArgumentException($"The {schema.Name} setting '{key}' is given more than once.", nameof(settings));
            }

            if (entry.Value is null)
            {
                throw new ArgumentException($"The {schema.Name} setting '{key}' has a null value.", key);
            }

            if (schema.Keys.Contains(key))
            {
                yield return (key, entry.Value.Trim());
            }
            else if (schema.AcceptsNetworkKeys && NetworkSettings.IsNetworkOnly(key))
            {
                ignored.Add(key);
            }
            else if (schema.NotSupported.TryGetValue(key, out string? why))
            {
                throw new ArgumentException($"The {schema.Name} setting '{key}' is not supported yet: {why}", key);
            }
            else
            {
                throw new ArgumentException(UnknownKeyMessage(key, schema), key);
            }
        }
    }

    public static int ParseInt32(string key, string value, int min, int max) => (int)ParseInt64(key, value, min, max);

    public static long ParseInt64(string key, string value, long min, long max)
    {
        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number))
        {
            throw new ArgumentException(
                $"Invalid value '{value}' for '{key}': expected a whole number from {Describe(min)} to {Describe(max)}.", key);
        }

        return CheckRange(key, number, min, max);
    }

    /// <summary>Parses a millisecond count into a <see cref="TimeSpan"/>.</summary>
    public static TimeSpan ParseMs(string key, string value, long minMs, long maxMs) =>
        TimeSpan.FromMilliseconds(ParseInt64(key, value, minMs, maxMs));

    public static double ParseDouble(string key, string value, double min, double max)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) || !double.IsFinite(number))
        {
            throw new ArgumentException($"Invalid value '{value}' for '{key}': expected a number from {min} to {max}.", key);
        }

        return CheckRange(key, number, min, max);
    }

    public static bool ParseBool(string key, string value) =>
        string.Equals(value, "true", StringComparison.OrdinalIgnoreCase) ? true
        : string.Equals(value, "false", StringComparison.OrdinalIgnoreCase) ? false
        : throw new ArgumentException($"Invalid value '{value}' for '{key}': allowed values are true, false.", key);

    /// <summary>Maps a value to one of named choices (case-insensitive). <paramref name="choices"/> lists the documented names
    /// first.</summary>
    public static T ParseChoice<T>(string key, string value, ReadOnlySpan<(string Name, T Value)> choices,
        int documentedCount = int.MaxValue)
    {
        foreach ((string name, T choice) in choices)
        {
            if (string.Equals(name, value, StringComparison.OrdinalIgnoreCase))
            {
                return choice;
            }
        }

        var allowed = new List<string>();
        for (int i = 0; i < Math.Min(documentedCount, choices.Length); i++)
        {
            allowed.Add(choices[i].Name);
        }

        throw new ArgumentException($"Invalid value '{value}' for '{key}': allowed values are {string.Join(", ", allowed)}.", key);
    }

    public static long CheckRange(string key, long value, long min, long max) =>
        value >= min && value <= max
            ? value
            : throw new ArgumentOutOfRangeException(key, value,
                $"Invalid value {value} for '{key}': allowed range is {Describe(min)} to {Describe(max)}.");

    public static int CheckRange(string key, int value, int min, int max) => (int)CheckRange(key, (long)value, min, max);

    public static double CheckRange(string key, double value, double min, double max) =>
        value >= min && value <= max
            ? value
            : throw new ArgumentOutOfRangeException(key, value, $"Invalid value {value} for '{key}': allowed range is {min} to {max}.");

    /// <summary>Checks a duration given as a <see cref="TimeSpan"/> against a range in milliseconds.</summary>
    public static TimeSpan CheckMs(string key, TimeSpan value, long minMs, long maxMs)
    {
        double ms = value.TotalMilliseconds;
        return ms >= minMs && ms <= maxMs
            ? value
            : throw new ArgumentOutOfRangeException(
                key, value, $"Invalid value {ms} ms for '{key}': allowed range is {Describe(minMs)} to {Describe(maxMs)} ms.");
    }

    private static string Describe(long bound) => bound switch
    {
        long.MaxValue => "9223372036854775807 (Long.MAX_VALUE)",
        int.MaxValue => "2147483647 (Integer.MAX_VALUE)",
        _ => bound.ToString(CultureInfo.InvariantCulture),
    };

    private static string UnknownKeyMessage(string key, ConfigSchema schema)
    {
        foreach (ConfigSchema other in ConfigSchema.All)
        {
            if (other != schema && other.Keys.Contains(key))
            {
                return $"'{key}' is a {other.Name} setting; {schema.Name} settings do not include it.";
            }
        }

        string? closest = null;
        int best = int.MaxValue;
        foreach (string candidate in schema.Keys)
        {
            int distance = EditDistance(key.ToLowerInvariant(), candidate);
            if (distance < best)
            {
                (best, closest) = (distance, candidate);
            }
        }

        string hint = closest is not null && best <= Math.Max(2, key.Length / 3) ? $" Did you mean '{closest}'?" : string.Empty;
        string known = string.Join(", ", schema.Keys.Order(StringComparer.Ordinal));
        return $"Unknown {schema.Name} setting '{key}'.{hint} Known settings: {known}.";
    }

    /// <summary>Levenshtein distance, for "did you mean" hints.</summary>
    internal static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
