namespace PipelineOps.Files;

/// <summary>Reads the last bytes of a file to tell whether it ends mid-record.</summary>
public static class TailInspector
{
    private static ReadOnlySpan<byte> ParquetMagic => "PAR1"u8;

    /// <summary>
    /// True when the file ends in the middle of a record: a line-oriented file whose last byte is not a newline,
    /// or a Parquet file without the closing "PAR1" magic that a writer adds only when it finishes.
    /// Empty line-oriented files are not torn. Other formats are never reported torn.
    /// </summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
    public static bool HasTornTail(string path, long length)
    {
        var name = Path.GetFileName(path);
        if (FileNameRules.IsLineOriented(name))
        {
            return length > 0 && ReadLast(path, 1)[0] != (byte)'\n';
        }

        if (FileNameRules.IsParquet(name))
        {
            return length < 12 || !ReadLast(path, 4).AsSpan().SequenceEqual(ParquetMagic);
        }

        return false;
    }

    private static byte[] ReadLast(string path, int count)
    {
        // Share everything: a writer must never be blocked by a reader asking this question.
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read,
            FileShare.ReadWrite | FileShare.Delete);
        var length = RandomAccess.GetLength(handle);
        var buffer = new byte[count];
        if (length < count)
        {
            return buffer;
        }

        var read = RandomAccess.Read(handle, buffer, length - count);
        return read == count ? buffer : new byte[count];
    }
}
