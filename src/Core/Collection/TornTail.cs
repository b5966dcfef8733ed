namespace PipelineOps.Collection;

/// <summary>
/// Before a restart appends to a file, a last line without its newline (a crash mid-write) must not be glued to the
/// next record. It is moved, byte for byte, to a sidecar file beside the data file ({file}.torn, appended to and
/// flushed to disk first), and only then cut from the data file. Nothing is deleted.
/// </summary>
public static class TornTail
{
    /// <returns>The bytes moved to the sidecar (0 when the file ends cleanly).</returns>
    public static long Repair(string path, out string? sidecar)
    {
        sidecar = null;
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        var length = file.Length;
        if (length == 0 || LastByte(file, length) == '\n')
        {
            return 0;
        }

        var cut = LastNewlineEnd(file, length);
        var tail = new byte[length - cut];
        file.Position = cut;
        file.ReadExactly(tail);
        sidecar = path + ".torn";
        using (var side = new FileStream(sidecar, FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            side.Write(tail);
            side.WriteByte((byte)'\n');
            side.Flush(flushToDisk: true);
        }

        file.SetLength(cut);
        file.Flush(flushToDisk: true);
        return tail.Length;
    }

    private static int LastByte(FileStream file, long length)
    {
        file.Position = length - 1;
        return file.ReadByte();
    }

    /// <summary>The offset just after the last newline (0 when there is none).</summary>
    private static long LastNewlineEnd(FileStream file, long length)
    {
        var buffer = new byte[64 * 1024];
        var end = length;
        while (end > 0)
        {
            var start = Math.Max(0, end - buffer.Length);
            var count = (int)(end - start);
            file.Position = start;
            file.ReadExactly(buffer, 0, count);
            var at = buffer.AsSpan(0, count).LastIndexOf((byte)'\n');
            if (at >= 0)
            {
                return start + at + 1;
            }

            end = start;
        }

        return 0;
    }

    /// <summary>Counts newline-terminated records from <paramref name="offset"/> to the end.</summary>
    public static long CountLines(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        file.Position = Math.Min(offset, file.Length);
        var buffer = new byte[1 << 16];
        long lines = 0;
        int read;
        while ((read = file.Read(buffer)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }

        return lines;
    }
}
