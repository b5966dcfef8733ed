using System.Globalization;
using System.Text;

namespace PipelineOps.Staging.Sampling;

/// <summary>
/// A tar member listing read header by header (ustar, POSIX pax, old and new GNU), so the rules are ours: every
/// header's checksum is checked (random bytes are not an empty tar), sizes in octal or GNU base-256 are range-checked,
/// pax global headers and GNU long-name records describe members instead of being listed as members, and reading
/// stops at the read cap with a note (a compressed bomb declaring gigabytes is not read to its end).
/// </summary>
public static class TarListing
{
    private const int Block = 512;
    private const int MaxNameBytes = 64 << 10;

    public readonly record struct Outcome(long Members, string? Note);

    public static Outcome List(Stream source, TextWriter listing, int maxMembers, long maxReadBytes, CancellationToken cancellationToken)
    {
        listing.Write("name\tsize\ttype\n");
        var header = new byte[Block];
        long read = 0, members = 0;
        string? longName = null, paxName = null;
        long? paxSize = null;
        var zeroBlocks = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var got = source.ReadAtLeast(header, Block, throwOnEndOfStream: false);
            if (got == 0 && read > 0 && zeroBlocks > 0)
            {
                break; // one end block then the end of the data: tolerated, as GNU tar does
            }

            if (got == 0)
            {
                if (read == 0)
                {
                    throw new InvalidDataException("an empty file, not a tar archive");
                }

                return new Outcome(members, "the archive ends without its end-of-archive blocks (truncated?)");
            }

            if (got < Block)
            {
                throw new EndOfStreamException($"a tar header is cut short after {read + got} bytes");
            }

            read += Block;
            if (header.AsSpan().IndexOfAnyExcept((byte)0) < 0)
            {
                if (++zeroBlocks == 2)
                {
                    break;
                }

                continue;
            }

            if (zeroBlocks > 0 || !ChecksumMatches(header))
            {
                throw new InvalidDataException(members == 0 && read == Block
                    ? "not a tar archive: the first header's checksum does not match"
                    : $"the tar header at byte {read - Block} is damaged (its checksum does not match)");
            }

            var type = (char)header[156];
            var size = paxSize ?? Size(header.AsSpan(124, 12), read - Block);
            var stored = type == 'S' ? Size(header.AsSpan(124, 12), read - Block) : size; // old GNU sparse: size is what is stored
            var dataBlocks = (Size(header.AsSpan(124, 12), read - Block) + Block - 1) / Block;
            if (type is 'L' or 'K' or 'x' or 'g')
            {
                var data = ReadData(source, dataBlocks, Size(header.AsSpan(124, 12), read - Block), ref read);
                if (type == 'L')
                {
                    longName = Encoding.UTF8.GetString(data).TrimEnd('\0');
                }
                else if (type == 'x')
                {
                    (paxName, paxSize) = ParsePax(data);
                }

                // 'g' (pax global) and 'K' (long link name) describe other members; they are not members.
                continue;
            }

            var name = paxName ?? longName ?? Name(header);
            if (members == maxMembers)
            {
                listing.Write("... more members not listed\n");
                return new Outcome(members, $"listing stopped after {maxMembers} members");
            }

            listing.Write(string.Create(CultureInfo.InvariantCulture, $"{ArchiveListing.Printable(name)}\t{size}\t{TypeName(type)}\n"));
            members++;
            longName = paxName = null;
            paxSize = null;
            var skip = type is '1' or '2' or '3' or '4' or '5' or '6' ? 0 : (stored + Block - 1) / Block;
            if (read + skip * Block > maxReadBytes)
            {
                return new Outcome(members, $"stopped at the read cap ({maxReadBytes} bytes): {members} members listed, the archive goes on");
            }

            Skip(source, skip * Block, ref read);
        }

        return new Outcome(members, null);
    }

    private static bool ChecksumMatches(byte[] header)
    {
        long unsigned = 0, signed = 0;
        for (var i = 0; i < Block; i++)
        {
            var b = i is >= 148 and < 156 ? (byte)' ' : header[i];
            unsigned += b;
            signed += (sbyte)b;
        }

        var text = Encoding.ASCII.GetString(header, 148, 8).Trim('\0', ' ');
        return text.Length > 0 && text.All(c => c is >= '0' and <= '7')
               && Convert.ToInt64(text, 8) is var declared && (declared == unsigned || declared == signed);
    }

    /// <summary>A size field: octal text, or GNU base-256 (high bit set) for large files. Negative or absurd sizes are damage.</summary>
    private static long Size(ReadOnlySpan<byte> field, long at)
    {
        long value = 0;
        if ((field[0] & 0x80) != 0)
        {
            if ((field[0] & 0x40) != 0)
            {
                throw new InvalidDataException($"the tar header at byte {at} declares a negative size");
            }

            value = field[0] & 0x3f;
            foreach (var b in field[1..])
            {
                if (value > (long.MaxValue >> 8))
                {
                    throw new InvalidDataException($"the tar header at byte {at} declares a size too large for any file");
                }

                value = (value << 8) | b;
            }

            return value;
        }

        foreach (var b in field)
        {
            if (b is 0 or (byte)' ')
            {
                if (value > 0)
                {
                    break;
                }

                continue;
            }

            if (b is < (byte)'0' or > (byte)'7')
            {
                throw new InvalidDataException($"the tar header at byte {at} has a size that is not octal");
            }

            value = value * 8 + (b - '0');
        }

        return value;
    }

    private static string Name(byte[] header)
    {
        var name = Field(header.AsSpan(0, 100));
        var magic = header.AsSpan(257, 6);
        if (magic.SequenceEqual("ustar\0"u8) && header[345] != 0)
        {
            name = Field(header.AsSpan(345, 155)) + "/" + name; // ustar prefix (not in old GNU, whose bytes there mean other things)
        }

        return name;
    }

    private static string Field(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }

    private static (string? Path, long? Size) ParsePax(byte[] data)
    {
        string? path = null;
        long? size = null;
        var text = Encoding.UTF8.GetString(data);
        var at = 0;
        while (at < text.Length)
        {
            var space = text.IndexOf(' ', at);
            if (space < 0 || !int.TryParse(text.AsSpan(at, space - at), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                || length <= space - at || at + length > text.Length)
            {
                break;
            }

            var record = text.AsSpan(space + 1, at + length - space - 2);
            var equals = record.IndexOf('=');
            if (equals > 0)
            {
                var key = record[..equals];
                var value = record[(equals + 1)..];
                if (key.SequenceEqual("path"))
                {
                    path = value.ToString();
                }
                else if (key.SequenceEqual("size") && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var s))
                {
                    size = s;
                }
            }

            at += length;
        }

        return (path, size);
    }

    private static byte[] ReadData(Stream source, long blocks, long size, ref long read)
    {
        if (size > MaxNameBytes)
        {
            throw new InvalidDataException($"an extended header of {size} bytes, more than a name or attribute needs");
        }

        var data = new byte[blocks * Block];
        source.ReadExactly(data);
        read += data.Length;
        return data[..(int)size];
    }

    private static void Skip(Stream source, long bytes, ref long read)
    {
        if (bytes == 0)
        {
            return;
        }

        if (source.CanSeek)
        {
            if (source.Position + bytes > source.Length)
            {
                throw new EndOfStreamException($"a member's data runs past the end of the archive ({source.Length} bytes)");
            }

            source.Seek(bytes, SeekOrigin.Current);
        }
        else
        {
            var buffer = new byte[64 << 10];
            var left = bytes;
            while (left > 0)
            {
                var n = source.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (n == 0)
                {
                    throw new EndOfStreamException("a member's data runs past the end of the archive");
                }

                left -= n;
            }
        }

        read += bytes;
    }

    private static string TypeName(char type) => type switch
    {
        '0' or '\0' or '7' => "RegularFile",
        '1' => "HardLink",
        '2' => "SymbolicLink",
        '3' => "CharacterDevice",
        '4' => "BlockDevice",
        '5' => "Directory",
        '6' => "Fifo",
        'S' => "SparseFile",
        'D' => "DirectoryList",
        _ => $"Type{(int)type}",
    };
}
