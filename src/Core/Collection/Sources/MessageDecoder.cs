using System.IO.Compression;

namespace PipelineOps.Collection.Sources;

/// <summary>
/// Turns a binary WebSocket message into JSON text bytes: decompressed when the feed's encoding says so, never to
/// more than the message-size limit (a small message must not inflate into gigabytes).
/// </summary>
public static class MessageDecoder
{
    /// <summary>The message's text, or why it cannot be read.</summary>
    public readonly record struct Decoded(ReadOnlyMemory<byte> Text, string? Error);

    public static Decoded Decode(ReadOnlyMemory<byte> binary, MessageEncoding encoding, int maxSize)
    {
        if (encoding == MessageEncoding.None)
        {
            return IsGzip(binary.Span)
                ? new Decoded(default, "a binary message that looks gzip-compressed; -MessageEncoding Gzip decompresses such messages")
                : new Decoded(binary, null);
        }

        try
        {
            using var input = new MemoryStream(binary.ToArray(), writable: false);
            using Stream inflate = encoding == MessageEncoding.Gzip ? new GZipStream(input, CompressionMode.Decompress)
                : IsZlib(binary.Span) ? new ZLibStream(input, CompressionMode.Decompress)
                : new DeflateStream(input, CompressionMode.Decompress);
            var output = new MemoryStream();
            var chunk = new byte[64 * 1024];
            int read;
            while ((read = inflate.Read(chunk)) > 0)
            {
                if (output.Length + read > maxSize)
                {
                    return new Decoded(default, $"a {encoding}-compressed message that inflates to more than {maxSize:N0} bytes (-MaxMessageSize)");
                }

                output.Write(chunk, 0, read);
            }

            return new Decoded(output.GetBuffer().AsMemory(0, (int)output.Length), null);
        }
        catch (InvalidDataException e)
        {
            return new Decoded(default, $"a binary message that is not {encoding}-compressed data ({e.Message})");
        }
    }

    private static bool IsGzip(ReadOnlySpan<byte> data) => data.Length >= 2 && data[0] == 0x1f && data[1] == 0x8b;

    // RFC 1950: CMF 0x?8 (deflate), and CMF*256+FLG a multiple of 31.
    private static bool IsZlib(ReadOnlySpan<byte> data) => data.Length >= 2 && (data[0] & 0x0f) == 8 && ((data[0] << 8) | data[1]) % 31 == 0;
}
