namespace CommitLog.IntegrationTests;

public class SmokeTests
{
    [Fact]
    public void Build_Works() => Assert.True(true);
}
