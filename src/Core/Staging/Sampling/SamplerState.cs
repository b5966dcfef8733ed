using System.Security.Cryptography;
using System.Text.Json;
using PipelineOps.IO;

namespace PipelineOps.Staging.Sampling;

/// <summary>
/// How far the sampler has read a manifest: the byte offset after the last entry it handled, the lines before it,
/// and a fingerprint of the manifest's first bytes, so a manifest that was replaced (not appended to) is read again
/// from the start instead of from the middle of some other file. Replaced atomically after each batch.
/// Each source's mtime at sampling is kept on the sample itself (see <see cref="DataSampler"/>), so the state stays
/// a few bytes however many files the manifest names.
/// </summary>
public sealed record SamplerState(long Offset, long Lines, string Head)
{
    private const int HeadBytes = 4096;

    public static readonly SamplerState Start = new(0, 0, "");

    /// <summary>The saved state, or null when there is none. A state file that cannot be read throws InvalidDataException.</summary>
    public static SamplerState? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var state = JsonSerializer.Deserialize<SamplerState>(File.ReadAllBytes(path));
            return state is { Offset: >= 0, Lines: >= 0, Head: not null } ? state : throw new InvalidDataException("missing fields");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The sampler state '{path}' cannot be read ({e.Message}).", e);
        }
    }

    public void Save(string path) => Durable.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this));

    /// <summary>True when the manifest still begins with the bytes this state was read from.</summary>
    public bool Matches(string manifest)
    {
        if (Offset == 0)
        {
            return true;
        }

        var length = new FileInfo(manifest).Length;
        return Offset <= length && Head == Fingerprint(manifest, Offset);
    }

    /// <summary>The state after reading up to <paramref name="offset"/>.</summary>
    public static SamplerState At(string manifest, long offset, long lines) => new(offset, lines, Fingerprint(manifest, offset));

    private static string Fingerprint(string manifest, long upTo)
    {
        var head = new byte[(int)Math.Min(HeadBytes, upTo)];
        using (var stream = new FileStream(manifest, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            stream.ReadExactly(head);
        }

        return Convert.ToHexStringLower(SHA256.HashData(head));
    }
}
