using System.Collections;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using PipelineOps.Collection;
using PipelineOps.Collection.Sources;

namespace PipelineOps.Commands;

/// <summary>Start-Collector's WebSocket feed parameters: decoding, limits, compression, TLS trust, client identity.</summary>
public sealed partial class StartCollectorCommand
{
    /// <summary>How binary messages are encoded: None (UTF-8 JSON), Gzip or Deflate.</summary>
    [Parameter(ParameterSetName = UriSet)]
    [ValidateSet(nameof(Collection.Sources.MessageEncoding.None), nameof(Collection.Sources.MessageEncoding.Gzip), nameof(Collection.Sources.MessageEncoding.Deflate))]
    public string MessageEncoding { get; set; } = nameof(Collection.Sources.MessageEncoding.None);

    /// <summary>A message that is a JSON array becomes one record per element.</summary>
    [Parameter(ParameterSetName = UriSet)]
    public SwitchParameter SplitArray { get; set; }

    /// <summary>Do not offer permessage-deflate.</summary>
    [Parameter(ParameterSetName = UriSet)]
    public SwitchParameter NoCompression { get; set; }

    /// <summary>The largest message kept, in bytes; larger ones go to _rejects/ (head and size).</summary>
    [Parameter(ParameterSetName = UriSet)]
    [ValidateRange(1024, 1 << 30)]
    public int MaxMessageSize { get; set; } = WebSocketSourceOptions.DefaultMaxMessageSize;

    /// <summary>The most bytes held in memory: queued messages plus records not yet flushed.</summary>
    [Parameter]
    [ValidateRange(1L << 16, long.MaxValue)]
    public long MaxBufferSize { get; set; } = CollectorOptions.DefaultMaxBufferSize;

    /// <summary>A PEM or DER file of certificates trusted for this feed: a private CA, or the server's own.</summary>
    [Parameter(ParameterSetName = UriSet)]
    [ValidateNotNullOrEmpty]
    public string? TrustedCertificatePath { get; set; }

    [Parameter(ParameterSetName = UriSet)]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>A client certificate (with its private key) for servers that ask for one.</summary>
    [Parameter(ParameterSetName = UriSet)]
    [ValidateNotNull]
    public X509Certificate2? Certificate { get; set; }

    /// <summary>Extra headers on the opening handshake (API keys).</summary>
    [Parameter(ParameterSetName = UriSet)]
    [ValidateNotNull]
    public IDictionary? Headers { get; set; }

    private WebSocketSource WebSocketSourceFor(Uri uri) => new(new WebSocketSourceOptions
    {
        Uri = uri,
        Subscribe = Subscribe,
        StallTimeout = StallTimeout,
        MaxBackoff = MaxBackoff,
        MessageEncoding = Enum.Parse<Collection.Sources.MessageEncoding>(MessageEncoding),
        SplitArrays = SplitArray,
        Compression = !NoCompression,
        MaxMessageSize = MaxMessageSize,
        TrustedCertificates = TrustedCertificates(uri),
        SkipCertificateCheck = SkipCertificateCheck,
        ClientCertificates = Certificate is null ? null : [Certificate],
        Headers = RequestHeaders(),
    });

    private HttpPollSource HttpPollSourceFor(Uri uri)
    {
        var trusted = TrustedCertificates(uri);
        var tls = uri.Scheme == "https" ? new TlsTrust(uri.Host, trusted, SkipCertificateCheck) : null;
        return new HttpPollSource(uri, Interval, RequestHeaders(), tls, Certificate is null ? null : [Certificate]);
    }

    private X509Certificate2Collection? TrustedCertificates(Uri uri)
    {
        if (SkipCertificateCheck && uri.Scheme is "wss" or "https")
        {
            WriteWarning($"{uri}: -SkipCertificateCheck: the server's certificate is not checked, so the feed is encrypted but anyone on the path can pose as the server.");
        }

        if (TrustedCertificatePath is null)
        {
            return null;
        }

        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(TrustedCertificatePath);
        try
        {
            return TlsTrust.Load(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            ThrowTerminatingError(new ErrorRecord(e, e is InvalidDataException ? "TrustedCertificateInvalid" : "TrustedCertificateUnreadable",
                ErrorCategory.InvalidArgument, TrustedCertificatePath));
            return null;
        }
    }

    private Dictionary<string, string> RequestHeaders()
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in Headers ?? new Hashtable())
        {
            headers[entry.Key.ToString()!] = entry.Value?.ToString() ?? "";
        }

        return headers;
    }
}
