using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using PipelineOps.Staging.Sampling;
using PipelineOps.Tests.Support;
using SharpCompress.Compressors.BZip2;

namespace PipelineOps.Tests.Staging;

/// <summary>Issue 14's archives: every zip the format allows is listed, tars are read honestly, bombs stop at the cap.</summary>
public sealed class HostileArchiveTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private SampleResult Sample(string path, SampleOptions? options = null) =>
        DataSampler.Sample(path, Path.Combine(_temp.Path, "samples"), options ?? new SampleOptions());

    private static string Listing(SampleResult result)
    {
        using var zip = ZipFile.OpenRead(result.Sample!);
        using var reader = new StreamReader(zip.GetEntry(ZipSample.ListingName)!.Open());
        return reader.ReadToEnd();
    }

    private string Zip(string name, params (string Name, string Content)[] members)
    {
        var path = Path.Combine(_temp.Path, name);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (member, content) in members)
        {
            using var writer = new StreamWriter(zip.CreateEntry(member).Open());
            writer.Write(content);
        }

        return path;
    }

    /// <summary>Patches every local and central header: method, flags, declared size.</summary>
    private static void Patch(string path, ushort? method = null, ushort? setFlags = null, uint? size = null, ushort clearFlags = 0)
    {
        var bytes = File.ReadAllBytes(path);
        for (var i = 0; i + 46 < bytes.Length; i++)
        {
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i));
            var (flagsAt, methodAt, sizeAt) = signature switch
            {
                0x04034b50 => (6, 8, 22),
                0x02014b50 => (8, 10, 24),
                _ => (-1, -1, -1),
            };
            if (flagsAt < 0)
            {
                continue;
            }

            if (method is { } m)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i + methodAt), m);
            }

            if (setFlags is { } f)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i + flagsAt), (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i + flagsAt)) | f));
            }

            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i + flagsAt), (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i + flagsAt)) & ~clearFlags));

            if (size is { } s)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + sizeAt), s);
            }
        }

        File.WriteAllBytes(path, bytes);
    }

    [Theory]
    [InlineData((ushort)12, null, "bzip2")]
    [InlineData((ushort)14, null, "LZMA")]
    [InlineData((ushort)98, null, "PPMd")]
    [InlineData((ushort)6, null, "implode")]
    [InlineData(null, (ushort)1, "ZipCrypto")]
    public void Zips_the_reader_cannot_extract_are_listed_with_their_members_marked(ushort? method, ushort? flags, string named)
    {
        var path = Zip("odd.zip", ("a.txt", "hello"), ("b.txt", "world"));
        Patch(path, method, flags);

        var result = Sample(path);

        Assert.True(result.Status == SampleStatus.Sampled, result.Reason);
        Assert.Equal(2, result.Rows);
        var listing = Listing(result);
        Assert.Contains("a.txt\t5\t", listing);
        Assert.Contains(named, listing);
        Assert.Contains("not extractable", listing);
        Assert.Contains("not copied", result.Reason);
    }

    [Fact]
    public void Non_utf8_names_use_the_unicode_path_field_or_code_page_437()
    {
        var path = Zip("names.zip", ("caf\u00e9.txt", "x"));
        var bytes = File.ReadAllBytes(path);
        // Clear the UTF-8 flag everywhere and turn the name's two UTF-8 bytes for é into one CP437 byte (0x82) plus a space.
        var text = Encoding.Latin1.GetString(bytes).Replace("caf\u00c3\u00a9", "caf\u0082 ", StringComparison.Ordinal);
        bytes = Encoding.Latin1.GetBytes(text);
        File.WriteAllBytes(path, bytes);
        Patch(path, clearFlags: 0x800); // the language-encoding flag cleared: CP437

        var result = Sample(path);

        Assert.True(result.Status == SampleStatus.Sampled, result.Reason);
        Assert.Contains("caf\u00e9 .txt", Listing(result));
    }

    [Fact]
    public void A_member_declaring_less_than_it_inflates_to_is_noted_not_silently_truncated()
    {
        var path = Zip("liar.zip", ("data.txt", new string('a', 50_000)));
        Patch(path, size: 900);

        var result = Sample(path, new SampleOptions { MaxCompressionRatio = 1e9 });

        Assert.Equal(SampleStatus.Sampled, result.Status);
        Assert.Contains("inflates to more than the 900 bytes it declares", result.Reason);
    }

    [Fact]
    public void A_truncated_member_is_noted()
    {
        var path = Zip("short.zip", ("data.txt", "0123456789"));
        Patch(path, size: 20);

        var result = Sample(path);

        Assert.Contains("truncated", result.Reason);
    }

    private static byte[] TarHeader(string name, long size, char type, bool gnuBase256 = false)
    {
        var header = new byte[512];
        Encoding.ASCII.GetBytes(name).CopyTo(header, 0);
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(header, 100);
        if (gnuBase256)
        {
            header[124] = 0x80;
            BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(128), size);
        }
        else
        {
            Encoding.ASCII.GetBytes(Convert.ToString(size, 8).PadLeft(11, '0') + "\0").CopyTo(header, 124);
        }

        header[156] = (byte)type;
        Encoding.ASCII.GetBytes("ustar  \0").CopyTo(header, 257); // old GNU magic
        Encoding.ASCII.GetBytes("        ").CopyTo(header, 148);
        var sum = header.Sum(b => (long)b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
        return header;
    }

    private static byte[] Padded(string content) => [.. Encoding.UTF8.GetBytes(content), .. new byte[(512 - content.Length % 512) % 512]];

    [Fact]
    public void Pax_global_headers_are_not_members_and_old_gnu_tars_list()
    {
        var pax = "30 comment=made by a test run\n";
        var path = Path.Combine(_temp.Path, "old.tar");
        File.WriteAllBytes(path, [
            .. TarHeader("pax_global_header", pax.Length, 'g'), .. Padded(pax),
            .. TarHeader("big.bin", 0, '0', gnuBase256: true),
            .. TarHeader("a.txt", 5, '0'), .. Padded("hello"),
            .. new byte[1024]]);

        var result = Sample(path);

        Assert.True(result.Status == SampleStatus.Sampled, result.Reason);
        Assert.Equal(2, result.Rows);
        Assert.DoesNotContain("pax_global_header", File.ReadAllText(result.Sample!));
        Assert.Contains("a.txt\t5\tRegularFile", File.ReadAllText(result.Sample!));
    }

    [Fact]
    public void Random_bytes_named_tar_are_not_an_empty_tar()
    {
        var bytes = new byte[4096];
        new Random(14).NextBytes(bytes);
        var path = Path.Combine(_temp.Path, "noise.tar");
        File.WriteAllBytes(path, bytes);

        var result = Sample(path);

        Assert.Equal(SampleStatus.Failed, result.Status);
        Assert.Contains("not a tar archive", result.Reason);
    }

    [Fact]
    public void A_compressed_tar_bomb_stops_at_the_read_cap_with_a_note()
    {
        var path = Path.Combine(_temp.Path, "bomb.tar.bz2");
        using (var file = File.Create(path))
        using (var bz = BZip2Stream.Create(file, SharpCompress.Compressors.CompressionMode.Compress, false))
        {
            bz.Write(TarHeader("zeros.bin", 1L << 30, '0'));
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 8; i++)
            {
                bz.Write(zeros); // 8 MB of the declared 1 GiB is enough for the cap below
            }
        }

        var result = Sample(path, new SampleOptions { MaxReadBytes = 4 << 20 });

        Assert.Equal(SampleStatus.Sampled, result.Status);
        Assert.Equal(1, result.Rows);
        Assert.Contains("read cap", result.Reason);
    }
}
