using CommitLog.Storage;

namespace CommitLog.Tests.Types;

public class ValueTypeTests
{
    [Fact]
    public void Offset_SpecialValues_MatchConfluent()
    {
        Assert.Equal(-2, Offset.Beginning.Value);
        Assert.Equal(-1, Offset.End.Value);
        Assert.Equal(-1000, Offset.Stored.Value);
        Assert.Equal(-1001, Offset.Unset.Value);
        Assert.True(Offset.End.IsSpecial);
        Assert.False(new Offset(0).IsSpecial);
    }

    [Fact]
    public void Offset_ToString_NamesSpecialValues()
    {
        Assert.Equal("Beginning", Offset.Beginning.ToString());
        Assert.Equal("End", Offset.End.ToString());
        Assert.Equal("Stored", Offset.Stored.ToString());
        Assert.Equal("Unset", Offset.Unset.ToString());
        Assert.Equal("42", new Offset(42).ToString());
    }

    [Fact]
    public void Offset_ArithmeticAndComparison()
    {
        Offset o = 10;
        Assert.Equal(new Offset(15), o + 5);
        Assert.True(o < 11);
        Assert.True(new Offset(12) >= o);
        Assert.Equal(10L, (long)o);
        Assert.Equal(-1, o.CompareTo(11));
        Assert.Throws<InvalidOperationException>(() => Offset.End + 1);
    }

    [Fact]
    public void Partition_AnyAndConversions()
    {
        Assert.Equal(-1, Partition.Any.Value);
        Assert.True(Partition.Any.IsSpecial);
        Partition p = 3;
        Assert.Equal(3, (int)p);
        Assert.Equal("Any", Partition.Any.ToString());
        Assert.True(p > 2);
    }

    [Fact]
    public void TopicPartition_ValueEqualityAndKafkaNotation()
    {
        var a = new TopicPartition("orders", 3);
        Assert.Equal(new TopicPartition("orders", 3), a);
        Assert.NotEqual(new TopicPartition("orders", 4), a);
        Assert.Equal(a.GetHashCode(), new TopicPartition("orders", 3).GetHashCode());
        Assert.Equal("orders-3", a.ToString());
        Assert.Throws<ArgumentNullException>(() => new TopicPartition(null!, 0));
    }

    [Fact]
    public void TopicPartitionOffset_CarriesAll()
    {
        var tpo = new TopicPartitionOffset(new TopicPartition("orders", 1), 7);
        Assert.Equal(new TopicPartition("orders", 1), tpo.TopicPartition);
        Assert.Equal(new Offset(7), tpo.Offset);
        Assert.Equal("orders-1@7", tpo.ToString());
        Assert.Equal(new TopicPartitionOffset("orders", 1, 7), tpo);
    }

    [Fact]
    public void Timestamp_NotAvailableAndConversions()
    {
        Assert.False(Timestamp.NotAvailable.IsAvailable);
        Assert.Throws<InvalidOperationException>(() => Timestamp.NotAvailable.DateTime);
        var when = new DateTimeOffset(2024, 5, 1, 12, 0, 0, 123, TimeSpan.Zero);
        var ts = new Timestamp(when, TimestampType.LogAppendTime);
        Assert.Equal(when.ToUnixTimeMilliseconds(), ts.UnixTimestampMs);
        Assert.Equal(when, ts.DateTime);
        Assert.Equal(TimestampType.LogAppendTime, ts.Type);
        Assert.True(new Timestamp(0).IsAvailable);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Timestamp(-2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Timestamp(DateTimeOffset.UnixEpoch.AddDays(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Timestamp(1, (TimestampType)7));
    }

    [Fact]
    public void Message_DefaultTimestamp_IsNotAvailable() =>
        Assert.False(new Message<string, string> { Key = "k", Value = "v" }.Timestamp.IsAvailable);

    [Fact]
    public void Headers_KeepOrderAndDuplicates_LastWins()
    {
        var headers = new Headers { { "trace", [1] }, { "tenant", null }, { "trace", [2] } };
        Assert.Equal(3, headers.Count);
        Assert.Equal(["trace", "tenant", "trace"], headers.Select(h => h.Key));
        Assert.Equal([2], headers.GetLastBytes("trace")!);
        Assert.True(headers.TryGetLastBytes("tenant", out byte[]? tenant));
        Assert.Null(tenant);
        Assert.False(headers.TryGetLastBytes("missing", out _));
        Assert.Throws<KeyNotFoundException>(() => headers.GetLastBytes("missing"));
        Assert.Equal(2, headers.Remove("trace"));
        Assert.Single(headers);
        Assert.Throws<ArgumentException>(() => headers.Add(default(Header)));
        Assert.Throws<ArgumentNullException>(() => headers.Add(null!, [1]));
    }

    [Fact]
    public void DeliveryResult_ExposesAddressAndDurability()
    {
        var message = new Message<string, int> { Key = "k", Value = 5 };
        var result = new DeliveryResult<string, int>
        {
            Topic = "orders",
            Partition = 2,
            Offset = 99,
            Durability = Durability.Flushed,
            Message = message,
        };
        Assert.Equal(new TopicPartitionOffset("orders", 2, 99), result.TopicPartitionOffset);
        Assert.Equal(new TopicPartition("orders", 2), result.TopicPartition);
        Assert.Equal("k", result.Key);
        Assert.Equal(5, result.Value);
        Assert.Equal(Durability.Flushed, result.Durability);
    }

    [Fact]
    public void Acks_HaveKafkaWireValues()
    {
        Assert.Equal(0, (int)Acks.None);
        Assert.Equal(1, (int)Acks.Leader);
        Assert.Equal(-1, (int)Acks.All);
    }
}
