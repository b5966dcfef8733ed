using System.Security.Cryptography.X509Certificates;

namespace PipelineOps.Collection.Sources;

/// <summary>How binary WebSocket messages are encoded before they are JSON text.</summary>
public enum MessageEncoding
{
    /// <summary>Binary messages are UTF-8 JSON as they are.</summary>
    None,

    /// <summary>Binary messages are gzip-compressed UTF-8 JSON.</summary>
    Gzip,

    /// <summary>Binary messages are deflate-compressed UTF-8 JSON (raw deflate or zlib-wrapped; the header tells).</summary>
    Deflate,
}

/// <summary>What a WebSocket source connects to and how: the feed, decoding, limits, TLS trust and request headers.</summary>
public sealed record WebSocketSourceOptions
{
    /// <summary>The most a single message may hold, in bytes (after decompression too); larger ones are quarantined.</summary>
    public const int DefaultMaxMessageSize = 16 << 20;

    public required Uri Uri { get; init; }

    /// <summary>Messages sent after each connect (subscribe requests).</summary>
    public IReadOnlyList<string> Subscribe { get; init; } = [];

    /// <summary>Reconnect when nothing arrives for this long; also the time the opening handshake may take.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The upper bound of the reconnect backoff, and of a server's Retry-After.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(1);

    public MessageEncoding MessageEncoding { get; init; } = MessageEncoding.None;

    /// <summary>A message that is a JSON array becomes one record per element.</summary>
    public bool SplitArrays { get; init; }

    /// <summary>Offer permessage-deflate (RFC 7692); the server decides whether the connection uses it.</summary>
    public bool Compression { get; init; } = true;

    public int MaxMessageSize { get; init; } = DefaultMaxMessageSize;

    /// <summary>Certificates trusted for this feed only, besides the system's: a private CA, or the server's own.</summary>
    public X509Certificate2Collection? TrustedCertificates { get; init; }

    /// <summary>Accept any server certificate (the connection is encrypted, not authenticated).</summary>
    public bool SkipCertificateCheck { get; init; }

    /// <summary>Certificates (with private keys) offered to a server that asks for a client certificate.</summary>
    public X509Certificate2Collection? ClientCertificates { get; init; }

    /// <summary>Extra headers on the opening handshake (API keys, tokens).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}
