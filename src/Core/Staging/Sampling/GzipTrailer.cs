using System.Buffers.Binary;

namespace PipelineOps.Staging.Sampling;

/// <summary>
/// The BCL's GZipStream reports a cut-off gzip file as a clean end of data. When a sample read a gzip source to its
/// end, this checks the trailer: a whole file ends with the size of its (last) member's data, modulo 2^32. A
/// multi-member file whose last member is not all of the data is reported as truncated too; samplers only read to the
/// end of small files, so that costs little.
/// </summary>
public static class GzipTrailer
{
    public static bool Matches(FileStream compressed, long decompressedLength)
    {
        if (compressed.Length < 18)
        {
            return false;
        }

        Span<byte> size = stackalloc byte[4];
        compressed.Seek(-4, SeekOrigin.End);
        compressed.ReadExactly(size);
        return BinaryPrimitives.ReadUInt32LittleEndian(size) == (uint)decompressedLength;
    }
}
