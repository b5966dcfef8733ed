using System.Buffers.Binary;
using System.Text;
using PipelineOps.IO;

namespace PipelineOps.Staging.Sampling;

/// <summary>
/// A zip's central directory read entry by entry, without decompressing anything and without holding the entries:
/// every compression method and encryption can be listed, and a million members take no more memory than one.
/// Names come from the Unicode Path extra field when present, else UTF-8 when the language-encoding flag says so,
/// else code page 437, as the format has it.
/// </summary>
public static class ZipDirectory
{
    private const uint EndSignature = 0x06054b50, Zip64EndSignature = 0x06064b50, Zip64LocatorSignature = 0x07064b50, EntrySignature = 0x02014b50;

    /// <param name="Method">0 stored, 8 deflate, 12 bzip2, 14 LZMA, 99 AES ...</param>
    /// <param name="Encrypted">ZipCrypto or AES (general-purpose flag bit 0).</param>
    public sealed record Member(string Name, long Size, long Compressed, int Method, bool Encrypted, long LocalHeaderOffset)
    {
        public bool IsDirectory => Name.EndsWith('/');

        /// <summary>Null when this sampler can extract the member; otherwise why not.</summary>
        public string? NotExtractable => Encrypted ? (Method == 99 ? "AES-encrypted" : "encrypted (ZipCrypto)")
            : Method is 0 or 8 ? null
            : $"compressed with {MethodName(Method)}, which is not extracted here";
    }

    public static string MethodName(int method) => method switch
    {
        0 => "stored",
        1 => "shrink",
        6 => "implode",
        8 => "deflate",
        9 => "deflate64",
        12 => "bzip2",
        14 => "LZMA",
        93 => "zstd",
        95 => "xz",
        98 => "PPMd",
        99 => "AES",
        _ => $"method {method}",
    };

    static ZipDirectory() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>The declared number of members and where the central directory lies.</summary>
    public static (long Count, long Offset, long Size) Locate(Stream zip)
    {
        var length = zip.Length;
        var tailLength = (int)Math.Min(length, 22 + 65535 + 20);
        var tail = new byte[tailLength];
        zip.Position = length - tailLength;
        zip.ReadExactly(tail);
        var at = -1;
        for (var i = tailLength - 22; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == EndSignature)
            {
                at = i;
                break;
            }
        }

        if (at < 0)
        {
            throw new InvalidDataException("not a zip archive: no end of central directory record");
        }

        long count = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(at + 10));
        long size = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(at + 12));
        long offset = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(at + 16));
        var end = length - tailLength + at;
        if ((count == 0xFFFF || size == 0xFFFFFFFF || offset == 0xFFFFFFFF) && at >= 20
            && BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(at - 20)) == Zip64LocatorSignature)
        {
            var zip64 = (long)BinaryPrimitives.ReadUInt64LittleEndian(tail.AsSpan(at - 12));
            if (zip64 < 0 || zip64 > end - 56)
            {
                throw new InvalidDataException("the zip64 end record lies outside the archive");
            }

            var record = new byte[56];
            zip.Position = zip64;
            zip.ReadExactly(record);
            if (BinaryPrimitives.ReadUInt32LittleEndian(record) != Zip64EndSignature)
            {
                throw new InvalidDataException("the zip64 end record is damaged");
            }

            count = (long)BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(32));
            size = (long)BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(40));
            offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(48));
            end = zip64;
        }

        if (count < 0 || offset < 0 || size < 0 || offset > end || size > end - offset)
        {
            throw new InvalidDataException($"the central directory ({size} bytes at {offset}) lies outside the archive");
        }

        return (count, offset, size);
    }

    /// <summary>The members in directory order. A damaged entry ends the walk with an InvalidDataException naming it.</summary>
    public static IEnumerable<Member> Read(Stream zip, long offset, long size, long count)
    {
        zip.Position = offset;
        var directory = new BufferedStream(new IO.LengthLimitedStream(new NonClosing(zip), size), 1 << 16);
        var fixedPart = new byte[46];
        var variable = new byte[3 * 65535];
        for (long i = 0; i < count; i++)
        {
            if (directory.ReadAtLeast(fixedPart, 46, throwOnEndOfStream: false) < 46
                || BinaryPrimitives.ReadUInt32LittleEndian(fixedPart) != EntrySignature)
            {
                throw new InvalidDataException($"the central directory is damaged at member {i + 1} of {count}");
            }

            var flags = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart.AsSpan(8));
            int method = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart.AsSpan(10));
            long compressed = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(20));
            long uncompressed = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(24));
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart.AsSpan(28));
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart.AsSpan(30));
            int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart.AsSpan(32));
            long local = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(42));
            var rest = nameLength + extraLength + commentLength;
            if (directory.ReadAtLeast(variable.AsSpan(0, rest), rest, throwOnEndOfStream: false) < rest)
            {
                throw new InvalidDataException($"the central directory is cut short at member {i + 1} of {count}");
            }

            var rawName = variable.AsSpan(0, nameLength);
            var name = (flags & 0x800) != 0 ? Encoding.UTF8.GetString(rawName) : Encoding.GetEncoding(437).GetString(rawName);
            var extra = variable.AsSpan(nameLength, extraLength);
            while (extra.Length >= 4)
            {
                var id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
                var length = Math.Min(BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]), extra.Length - 4);
                var data = extra.Slice(4, length);
                if (id == 0x0001)
                {
                    // zip64: the 64-bit values of the fields that hold 0xFFFFFFFF, in this order
                    var at = 0;
                    if (uncompressed == 0xFFFFFFFF && data.Length >= at + 8) { uncompressed = (long)BinaryPrimitives.ReadUInt64LittleEndian(data[at..]); at += 8; }
                    if (compressed == 0xFFFFFFFF && data.Length >= at + 8) { compressed = (long)BinaryPrimitives.ReadUInt64LittleEndian(data[at..]); at += 8; }
                    if (local == 0xFFFFFFFF && data.Length >= at + 8) { local = (long)BinaryPrimitives.ReadUInt64LittleEndian(data[at..]); }
                }
                else if (id == 0x7075 && data.Length > 5 && data[0] == 1)
                {
                    name = Encoding.UTF8.GetString(data[5..]); // Info-ZIP Unicode Path: version 1, CRC-32 of the header name, UTF-8 name
                }
                else if (id == 0x9901 && data.Length >= 7)
                {
                    method = 99; // WinZip AES: the real method is inside; the data is encrypted either way
                }

                extra = extra[(4 + length)..];
            }

            yield return new Member(name, uncompressed, compressed, method == 99 ? 99 : method, (flags & 1) != 0 || method == 99, local);
        }
    }

    /// <summary>Reads through to a stream that is left open when this one is disposed, and tells its position.</summary>
    private sealed class NonClosing(Stream inner) : ReadOnlyStream(inner, leaveOpen: true)
    {
        public override long Position { get => Inner.Position; set => throw new NotSupportedException(); }

        public override int Read(Span<byte> buffer) => Inner.Read(buffer);
    }
}
