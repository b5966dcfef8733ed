using System.Security.Cryptography;
using PipelineOps.IO;

namespace PipelineOps.Conversion;

/// <summary>
/// Passes a source's decompressed content through and fingerprints it on the way: its length, first and last
/// 64 KiB. The same records give the same fingerprint whether they come plain or gzip-compressed, under any name.
/// </summary>
internal sealed class ContentTap(Stream inner) : ReadOnlyStream(inner)
{
    private const int Span = 64 * 1024;
    private readonly byte[] _head = new byte[Span];
    private readonly byte[] _tail = new byte[Span]; // a ring: the last Span bytes read end at _tailEnd
    private int _headLength;
    private int _tailEnd;
    private long _length;

    /// <summary>The fingerprint of everything read so far.</summary>
    public string Fingerprint
    {
        get
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(BitConverter.GetBytes(_length));
            hash.AppendData(_head, 0, _headLength);
            if (_length > Span)
            {
                var kept = (int)Math.Min(Span, _length - Span); // tail bytes not already in the head
                var start = (_tailEnd - kept + Span) % Span;
                var first = Math.Min(kept, Span - start);
                hash.AppendData(_tail, start, first);
                hash.AppendData(_tail, 0, kept - first);
            }

            return Convert.ToHexStringLower(hash.GetHashAndReset(), 0, 16);
        }
    }

    /// <summary>Reads a whole source's content and returns its fingerprint.</summary>
    public static string Of(SourceFile source)
    {
        using var tap = new ContentTap(source.Open());
        var buffer = new byte[1 << 20];
        while (tap.Read(buffer) > 0)
        {
        }

        return tap.Fingerprint;
    }

    public override int Read(Span<byte> buffer)
    {
        var read = Inner.Read(buffer);
        var bytes = buffer[..read];
        if (_headLength < Span)
        {
            var take = Math.Min(Span - _headLength, bytes.Length);
            bytes[..take].CopyTo(_head.AsSpan(_headLength));
            _headLength += take;
        }

        var tail = bytes.Length > Span ? bytes[^Span..] : bytes;
        while (!tail.IsEmpty)
        {
            var room = Math.Min(tail.Length, Span - _tailEnd);
            tail[..room].CopyTo(_tail.AsSpan(_tailEnd));
            _tailEnd = (_tailEnd + room) % Span;
            tail = tail[room..];
        }

        _length += read;
        return read;
    }

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }
}
