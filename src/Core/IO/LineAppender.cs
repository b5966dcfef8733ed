namespace PipelineOps.IO;

/// <summary>
/// Appends whole lines to an append-only line file (ledger, manifest). A line left torn by a crashed writer would
/// glue onto the next one, so an append first ends it with a newline: the fragment stays its own, unreadable line
/// and readers skip or report it. Callers serialize their appends (a lock); this writes them.
/// </summary>
public static class LineAppender
{
    /// <summary>Appends <paramref name="lines"/> (each ending in '\n'); with <paramref name="flushToDisk"/> they are
    /// on disk when this returns.</summary>
    /// <returns>The file's length after the append.</returns>
    public static long Append(string path, ReadOnlySpan<byte> lines, bool flushToDisk)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length > 0)
        {
            stream.Seek(-1, SeekOrigin.End);
            if (stream.ReadByte() != '\n')
            {
                stream.WriteByte((byte)'\n');
            }
        }

        stream.Write(lines);
        stream.Flush(flushToDisk);
        return stream.Length;
    }
}
