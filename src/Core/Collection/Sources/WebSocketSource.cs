using System.Buffers;
using System.Net.WebSockets;
using System.Text;

namespace PipelineOps.Collection.Sources;

/// <summary>
/// A WebSocket feed: connects (offering permessage-deflate), sends the subscribe messages, and hands on every record
/// of every message: text frames as they are, binary frames decoded (and decompressed) to UTF-8 JSON, batches split
/// into their records. Messages it cannot read, and messages over the size limit, go to _rejects/ and the connection
/// stays. It reconnects forever with capped exponential backoff and jitter (at least as long as a server's
/// Retry-After, within the cap) after a close, an error, or no message for the stall timeout, and names each failure
/// for what it was. Stopping completes the close handshake.
/// </summary>
public sealed class WebSocketSource : IRecordSource
{
    /// <summary>How much of an oversize or undecodable message goes to _rejects/.</summary>
    private const int HeadBytes = 4096;

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private readonly WebSocketSourceOptions _options;
    private readonly TlsTrust? _tls;

    public WebSocketSource(WebSocketSourceOptions options)
    {
        _options = options;
        if (options.Uri.Scheme == "wss" && (options.TrustedCertificates is not null || options.SkipCertificateCheck))
        {
            _tls = new TlsTrust(options.Uri.Host, options.TrustedCertificates, options.SkipCertificateCheck);
        }
        else if (options.Uri.Scheme == "wss")
        {
            _tls = new TlsTrust(options.Uri.Host, null, false); // system trust, but a refusal is explained
        }
    }

    public WebSocketSource(Uri uri, IReadOnlyList<string> subscribe, TimeSpan stallTimeout, TimeSpan maxBackoff)
        : this(new WebSocketSourceOptions { Uri = uri, Subscribe = subscribe, StallTimeout = stallTimeout, MaxBackoff = maxBackoff })
    {
    }

    public string Description => _options.Uri.ToString();

    /// <summary>Whether the last connection negotiated permessage-deflate.</summary>
    public bool Compressed { get; private set; }

    public async Task RunAsync(SourceContext context, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(_options.InitialBackoff, _options.MaxBackoff);
        var connectedBefore = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan? retryAfter = null;
            string cause;
            var connected = false;
            try
            {
                using var socket = await ConnectAsync(cancellationToken);
                connected = true;
                if (connectedBefore)
                {
                    context.Reconnected(); // only a connection that was made counts, not each failed attempt
                }

                connectedBefore = true;
                await ReceiveAsync(socket, context, backoff, cancellationToken);
                continue; // ReceiveAsync returns only when cancelled
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (FeedFailure e)
            {
                retryAfter = e.RetryAfter;
                cause = e.Message;
            }
            catch (Exception e) when (e is WebSocketException or IOException)
            {
                cause = FeedFailure.Lost(e).Message;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            var delay = backoff.Next();
            if (retryAfter is { } asked && asked > delay)
            {
                delay = asked < _options.MaxBackoff ? asked : _options.MaxBackoff;
            }

            // The cause, and when the next attempt comes: a user watching the warnings knows what to fix and how long to wait.
            context.Error($"connection to {_options.Uri} {(connected ? "lost" : "failed")}: {cause}; " +
                          $"reconnecting in {FeedFailure.Seconds(delay)} (attempt {backoff.Attempts})");

            try
            {
                await Task.Delay(delay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<ClientWebSocket> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        var o = socket.Options;
        o.CollectHttpResponseDetails = true;
        if (_options.Compression)
        {
            o.DangerousDeflateOptions = new WebSocketDeflateOptions();
        }

        foreach (var (name, value) in _options.Headers)
        {
            o.SetRequestHeader(name, value);
        }

        if (_options.ClientCertificates is { Count: > 0 } certificates)
        {
            o.ClientCertificates = certificates;
        }

        if (_tls is not null)
        {
            o.RemoteCertificateValidationCallback = _tls.Validate;
        }

        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        handshake.CancelAfter(_options.StallTimeout);
        try
        {
            await socket.ConnectAsync(_options.Uri, handshake.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw FeedFailure.HandshakeTimeout(_options.Uri, _options.StallTimeout);
        }
        catch (Exception e) when (e is WebSocketException or IOException or HttpRequestException)
        {
            var failure = FeedFailure.OfConnect(e, _options.Uri, socket.HttpStatusCode, socket.HttpResponseHeaders, _tls);
            socket.Dispose();
            throw failure;
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        Compressed = socket.HttpResponseHeaders?.Any(h => h.Key.Equals("Sec-WebSocket-Extensions", StringComparison.OrdinalIgnoreCase)
            && h.Value.Any(v => v.Contains("permessage-deflate", StringComparison.OrdinalIgnoreCase))) == true;
        socket.HttpResponseHeaders = null; // kept only for the handshake
        return socket;
    }

    private async Task ReceiveAsync(ClientWebSocket socket, SourceContext context, Backoff backoff, CancellationToken cancellationToken)
    {
        foreach (var request in _options.Subscribe)
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(request), WebSocketMessageType.Text, true, cancellationToken);
        }

        // Stopping sends our close frame and lets the receive below read the server's answer, instead of cancelling the
        // receive (which would abort the connection: the server would see 1006, not a close).
        await using var closeOnStop = cancellationToken.Register(() => _ = CloseAsync(socket));
        var buffer = new byte[64 * 1024];
        var message = new ArrayBufferWriter<byte>();
        long size = 0;
        using var stall = new CancellationTokenSource();
        while (true)
        {
            stall.TryReset(); // never cancelled here: a stall ends the loop
            stall.CancelAfter(_options.StallTimeout);
            ValueWebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(), stall.Token);
            }
            catch (OperationCanceledException) when (stall.IsCancellationRequested)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw FeedFailure.Stalled(_options.StallTimeout);
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested && e is WebSocketException or IOException)
            {
                throw new OperationCanceledException(cancellationToken); // aborted after the server never answered our close
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException(cancellationToken); // the server answered our close: done
                }

                await AnswerCloseAsync(socket);
                throw FeedFailure.ClosedByServer(socket.CloseStatus, socket.CloseStatusDescription);
            }

            size += result.Count;
            if (size <= _options.MaxMessageSize)
            {
                message.Write(buffer.AsSpan(0, result.Count));
            }

            if (!result.EndOfMessage)
            {
                continue;
            }

            if (size > _options.MaxMessageSize)
            {
                context.Reject(message.WrittenMemory[..Math.Min(HeadBytes, message.WrittenCount)].ToArray(), size,
                    $"a {result.MessageType.ToString().ToLowerInvariant()} message of {size:N0} bytes, over -MaxMessageSize {_options.MaxMessageSize:N0}; its first {Math.Min(HeadBytes, size):N0} bytes are kept here");
            }
            else
            {
                await DeliverAsync(message.WrittenMemory, result.MessageType, context, cancellationToken);
            }

            backoff.Reset();
            message.ResetWrittenCount();
            size = 0;
        }
    }

    private async ValueTask DeliverAsync(ReadOnlyMemory<byte> message, WebSocketMessageType type, SourceContext context, CancellationToken cancellationToken)
    {
        var text = message;
        if (type == WebSocketMessageType.Binary)
        {
            var decoded = MessageDecoder.Decode(message, _options.MessageEncoding, _options.MaxMessageSize);
            if (decoded.Error is { } error)
            {
                context.Reject(message[..Math.Min(HeadBytes, message.Length)].ToArray(), message.Length, error);
                return;
            }

            text = decoded.Text;
        }

        // The queue keeps what it is given: records are slices of one copy of the message, not of the receive buffer.
        var owned = text.ToArray().AsMemory();
        foreach (var record in MessageSplitter.Split(owned, _options.SplitArrays))
        {
            await context.EmitAsync(record, cancellationToken);
        }
    }

    /// <summary>Our side of a close the server started, so it sees a clean close rather than 1006.</summary>
    private static async Task AnswerCloseAsync(ClientWebSocket socket)
    {
        if (socket.State != WebSocketState.CloseReceived)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(CloseTimeout);
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
        }
    }

    /// <summary>Sends our close frame; a server that does not answer within the close timeout is cut off.</summary>
    private static async Task CloseAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(CloseTimeout);
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "collector stopping", timeout.Token);
            }

            await Task.Delay(CloseTimeout, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
        }

        socket.Abort(); // a no-op once closed
    }
}
