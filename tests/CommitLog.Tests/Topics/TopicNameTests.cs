using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CommitLog.Tests.Topics;

public class TopicNameTests
{
    [Theory]
    [InlineData("orders")]
    [InlineData("order-events.v2_EU")]
    [InlineData("a")]
    [InlineData("...")]
    [InlineData("__consumer_offsets")]
    public void Validate_LegalName_Passes(string name)
    {
        TopicName.Validate(name);
        Assert.True(TopicName.IsValid(name));
    }

    [Fact]
    public void Validate_249Characters_Passes() => TopicName.Validate(new string('x', 249));

    [Theory]
    [InlineData("", "empty")]
    [InlineData(".", "cannot be \".\" or \"..\"")]
    [InlineData("..", "cannot be \".\" or \"..\"")]
    [InlineData("orders events", "contains ' '")]
    [InlineData("orders/2024", "contains '/'")]
    [InlineData("zürich", "contains 'ü'")]
    [InlineData("tab\there", "contains '\t'")]
    public void Validate_IllegalName_ThrowsSayingWhy(string name, string reason)
    {
        var ex = Assert.Throws<ArgumentException>(() => TopicName.Validate(name));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.False(TopicName.IsValid(name));
    }

    [Fact]
    public void Validate_250Characters_ThrowsNamingTheLimit()
    {
        var ex = Assert.Throws<ArgumentException>(() => TopicName.Validate(new string('x', 250)));
        Assert.Contains("250 characters; at most 249", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => TopicName.Validate(null!));
        Assert.False(TopicName.IsValid(null));
    }

    [Theory]
    [InlineData("a.b", "a_b", true)]
    [InlineData("metrics.cpu_load", "metrics_cpu.load", true)]
    [InlineData("orders", "orders", true)]
    [InlineData("a.b", "a-b", false)]
    [InlineData("a.b", "a.bc", false)]
    [InlineData("A.b", "a_b", false)]
    public void Collide_PeriodVersusUnderscore(string first, string second, bool expected)
    {
        Assert.Equal(expected, TopicName.Collide(first, second));
        Assert.Equal(expected, TopicName.Collide(second, first));
        Assert.Equal(expected, TopicName.UnifyCollisionChars(first) == TopicName.UnifyCollisionChars(second));
    }

    [Theory]
    [InlineData("a.b", true)]
    [InlineData("a_b", true)]
    [InlineData("a-b", false)]
    public void HasCollisionChars_PeriodOrUnderscore(string name, bool expected) => Assert.Equal(expected,
        TopicName.HasCollisionChars(name));

    [Property(MaxTest = 500)]
    public Property IsValid_AgreesWithKafkasRegexAndLength(NonNull<string> name)
    {
        string n = name.Get;
        bool expected = n.Length is > 0 and <= 249 && n is not ("." or "..")
            && System.Text.RegularExpressions.Regex.IsMatch(n, @"^[a-zA-Z0-9._-]+\z");
        return (TopicName.IsValid(n) == expected).ToProperty();
    }

    [Property(MaxTest = 500)]
    public Property IsValid_NamesOverTheLegalAlphabet_DependOnlyOnLengthAndDots(byte[] seed)
    {
        const string alphabet = "abcXYZ019._-";
        string name = new([.. seed.Select(b => alphabet[b % alphabet.Length])]);
        bool expected = name.Length is > 0 and <= 249 && name is not ("." or "..");
        return (TopicName.IsValid(name) == expected).ToProperty();
    }
}
