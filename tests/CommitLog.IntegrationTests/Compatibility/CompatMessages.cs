using System.Text;
using Confluent.Kafka;

namespace CommitLog.IntegrationTests.Compatibility;

/// <summary>The messages both directions exchange: null and non-null keys, empty and null values, headers.</summary>
internal static class CompatMessages
{
    public const long BaseTime = 1_700_000_000_000;

    public static IReadOnlyList<Message<byte[]?, byte[]?>> Create(int count)
    {
        var messages = new List<Message<byte[]?, byte[]?>>();
        for (int i = 0; i < count; i++)
        {
            var headers = new Headers();
            if (i % 2 == 0)
            {
                headers.Add("trace-id", Encoding.UTF8.GetBytes($"trace-{i}"));
                headers.Add("empty", []);
            }

            if (i % 3 == 0)
            {
                headers.Add("null-valued", null);
            }

            messages.Add(new Message<byte[]?, byte[]?>
            {
                Key = i % 4 == 1 ? null : Encoding.UTF8.GetBytes($"key-{i % 3}"),
                Value = i % 5 == 4 ? null : i % 5 == 3 ? [] : Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat($"value {i} compressible text ", 8))),
                Headers = headers,
                Timestamp = new Timestamp(BaseTime + (i * 7) - (i % 2 * 3), Confluent.Kafka.TimestampType.CreateTime),
            });
        }

        return messages;
    }
}
