using System.Text;

namespace CommitLog.Storage.Tests.Format;

public class Crc32CTests
{
    [Fact]
    public void Compute_CheckString123456789_IsCastagnoliCheckValue()
        => Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void Compute_Empty_IsZero() => Assert.Equal(0u, Crc32C.Compute([]));

    [Fact]
    public void Compute_32Zeros_MatchesRfc3720Vector()
        => Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
}
