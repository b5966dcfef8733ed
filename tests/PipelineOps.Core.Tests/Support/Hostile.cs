using System.Buffers.Binary;
using System.Diagnostics;

namespace PipelineOps.Tests.Support;

/// <summary>Hostile files made the way an attacker would: links, FIFOs, hand-patched bytes.</summary>
public static class Hostile
{
    public static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} failed: {error}");
    }

    public static string Fifo(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Run("mkfifo", path);
        return path;
    }

    public static string HardLink(string target, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Run("ln", target, path);
        return path;
    }

    /// <summary>A symbolic link whose own text is as long as its target file (/./././... padding), so a size taken
    /// from the link equals the target's. The target must be at least as long as its path.</summary>
    public static string PaddedLink(string target, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var size = (int)new FileInfo(target).Length;
        var padding = size - target.Length;
        Assert.True(padding >= 0 && padding % 2 == 0, "make the target's size its path's length plus an even number");
        File.CreateSymbolicLink(path, "/" + string.Concat(Enumerable.Repeat("./", padding / 2)) + target.TrimStart('/'));
        return path;
    }

    /// <summary>PAR1, zero bytes, a footer length and PAR1: what Parquet.Net overflowed on with a length of -5.</summary>
    public static byte[] ParquetWithFooterLength(int footerLength, int zeros = 88)
    {
        var bytes = new byte[4 + zeros + 8];
        "PAR1"u8.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 + zeros), footerLength);
        "PAR1"u8.CopyTo(bytes.AsSpan(8 + zeros));
        return bytes;
    }
}
