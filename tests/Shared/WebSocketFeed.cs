using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace PipelineOps.Tests.Shared;

/// <summary>
/// A real WebSocket server on 127.0.0.1 (Kestrel) that sends numbered JSON records: {"type":"tick","id":N,...}.
/// Ids continue across connections, so a collector's files can be checked for loss and duplication. It can send in
/// bursts, drop each connection after some messages, and stall (stop sending without closing). As real exchange feeds
/// do, it can also send binary (and compressed) frames, batch several records in one message, negotiate
/// permessage-deflate, serve wss:// with a given certificate, refuse upgrades with a status and Retry-After, hang in
/// the handshake, send an oversize message, and close with a code; it records how each connection was closed.
/// </summary>
public sealed class WebSocketFeed : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _nextId;
    private int _connections;
    private int _polls;

    /// <summary>Messages per connection before the server drops it (0: never).</summary>
    public int DropAfter { get; set; }

    /// <summary>On this connection number (1-based) the server sends this many messages, then stalls.</summary>
    public (int Connection, int Messages)? Stall { get; set; }

    /// <summary>Stop sending after this many messages in all.</summary>
    public long Total { get; set; } = long.MaxValue;

    /// <summary>Messages per burst, and the pause between bursts.</summary>
    public int Burst { get; set; } = 50;

    public TimeSpan Pause { get; set; } = TimeSpan.FromMilliseconds(5);

    public long Sent => Interlocked.Read(ref _nextId);

    public int Connections => Volatile.Read(ref _connections);

    public List<string> Received { get; } = [];

    public Uri Uri { get; private set; } = null!;

    /// <summary>Records per message, separated by newlines (1: one record per message).</summary>
    public int Batch { get; set; } = 1;

    /// <summary>Records per message as one JSON array (0: no arrays).</summary>
    public int ArrayBatch { get; set; }

    /// <summary>Send binary frames instead of text frames.</summary>
    public bool Binary { get; set; }

    /// <summary>Applied to each message's bytes before sending (gzip, deflate).</summary>
    public Func<byte[], byte[]>? Encode { get; set; }

    /// <summary>A record's JSON by id and connection, instead of the small tick.</summary>
    public Func<long, int, string>? Payload { get; set; }

    /// <summary>Agree to permessage-deflate when the client offers it.</summary>
    public bool Compression { get; set; }

    /// <summary>The first N upgrade requests are answered with this status (and Retry-After, when given).</summary>
    public (int Status, string? RetryAfter, int Times)? Refuse { get; set; }

    /// <summary>Never answer the upgrade request.</summary>
    public bool HangHandshake { get; set; }

    /// <summary>Each connection starts with one message of this many bytes (a JSON object), before the records.</summary>
    public int OversizeFirst { get; set; }

    /// <summary>After this many messages on a connection the server closes it with this code.</summary>
    public (int Messages, WebSocketCloseStatus Status)? CloseWith { get; set; }

    /// <summary>When each upgrade request came (refused ones too).</summary>
    public List<DateTime> Attempts { get; } = [];

    /// <summary>Per connection: the Sec-WebSocket-Extensions the client offered ("" when none).</summary>
    public List<string> OfferedExtensions { get; } = [];

    /// <summary>Per connection: request headers as sent.</summary>
    public List<Dictionary<string, string>> Headers { get; } = [];

    /// <summary>Per connection that asked for one: the client certificate's subject ("" when none was sent).</summary>
    public List<string> ClientCertificates { get; } = [];

    /// <summary>How each connection ended: "client 1000" (the client closed), "answered" (the client answered the
    /// server's close), "aborted" (no close handshake).</summary>
    public List<string> Closes { get; } = [];

    /// <summary>An HTTP endpoint answering each GET with a JSON array of two records, numbered by poll.</summary>
    public Uri PollUri => new(Uri.ToString().Replace("ws://", "http://", StringComparison.Ordinal).Replace("/feed", "/poll", StringComparison.Ordinal));

    private WebSocketFeed(X509Certificate2? certificate, bool askClientCertificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificate,
                    ClientCertificateMode = askClientCertificate ? ClientCertificateMode.AllowCertificate : ClientCertificateMode.NoCertificate,
                    ClientCertificateValidation = (_, _, _) => true,
                });
            }
        }));
        _app = builder.Build();
        _app.UseWebSockets();
        _app.Map("/feed", Serve);
        _app.MapGet("/poll", () =>
        {
            var polls = Interlocked.Increment(ref _polls);
            return Results.Text($"[{{\"type\":\"price\",\"poll\":{polls},\"n\":1}},{{\"type\":\"price\",\"poll\":{polls},\"n\":2}}]", "application/json");
        });
    }

    /// <param name="certificate">Serve wss:// with this certificate (with its private key).</param>
    /// <param name="askClientCertificate">Ask the client for a certificate (any is accepted and recorded).</param>
    public static async Task<WebSocketFeed> StartAsync(X509Certificate2? certificate = null, bool askClientCertificate = false)
    {
        var feed = new WebSocketFeed(certificate, askClientCertificate);
        await feed._app.StartAsync();
        var address = feed._app.Urls.First().Replace("https://", "wss://", StringComparison.Ordinal).Replace("http://", "ws://", StringComparison.Ordinal);
        feed.Uri = new Uri(address + "/feed");
        return feed;
    }

    private async Task Serve(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        int attempt;
        lock (Attempts)
        {
            Attempts.Add(DateTime.UtcNow);
            attempt = Attempts.Count;
        }

        if (Refuse is { } refuse && attempt <= refuse.Times)
        {
            context.Response.StatusCode = refuse.Status;
            if (refuse.RetryAfter is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = retryAfter;
            }

            return;
        }

        if (HangHandshake)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }

        lock (Headers)
        {
            OfferedExtensions.Add(context.Request.Headers.SecWebSocketExtensions.ToString());
            Headers.Add(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            if (context.Connection.ClientCertificate is { } clientCertificate || context.Request.IsHttps)
            {
                ClientCertificates.Add(context.Connection.ClientCertificate?.Subject ?? "");
            }
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { DangerousEnableCompression = Compression });
        var connection = Interlocked.Increment(ref _connections);
        // Once the client has closed (or gone), stop sending, so the handler ends and the server closes the connection
        // first, as RFC 6455 has it; a client waits for that.
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var reader = ReadClientAsync(socket, context.RequestAborted).ContinueWith(_ =>
        {
            try
            {
                closed.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }, TaskScheduler.Default);
        try
        {
            await SendAsync(socket, connection, context, closed.Token);
        }
        finally
        {
            // Let the reader see how the client closed before the connection goes.
            await Task.WhenAny(reader, Task.Delay(TimeSpan.FromSeconds(3)));
        }
    }

    private async Task SendAsync(WebSocket socket, int connection, HttpContext context, CancellationToken token)
    {
        var sentHere = 0;
        try
        {
            if (OversizeFirst > 0)
            {
                var big = "{\"type\":\"big\",\"pad\":\"" + new string('x', OversizeFirst - 23) + "\"}";
                await socket.SendAsync(Encoding.UTF8.GetBytes(big), WebSocketMessageType.Text, true, token);
            }

            while (socket.State == WebSocketState.Open && !token.IsCancellationRequested)
            {
                for (var i = 0; i < Burst; i++)
                {
                    if (Stall is { } stall && stall.Connection == connection && sentHere >= stall.Messages)
                    {
                        await Task.Delay(Timeout.Infinite, token);
                    }

                    if (DropAfter > 0 && sentHere >= DropAfter)
                    {
                        context.Abort(); // no close handshake: as a dropped connection looks
                        return;
                    }

                    if (CloseWith is { } close && sentHere >= close.Messages)
                    {
                        await socket.CloseOutputAsync(close.Status, "closing", token);
                        return;
                    }

                    if (Sent >= Total)
                    {
                        await Task.Delay(Timeout.Infinite, token);
                    }

                    var records = new List<string>();
                    for (var r = 0; r < Math.Max(1, Math.Max(Batch, ArrayBatch)) && Sent < Total; r++)
                    {
                        var id = Interlocked.Increment(ref _nextId);
                        records.Add(Payload?.Invoke(id, connection)
                            ?? $"{{\"type\":\"tick\",\"id\":{id},\"connection\":{connection},\"time\":\"{DateTime.UtcNow:yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'}\"}}");
                    }

                    var text = ArrayBatch > 0 ? "[" + string.Join(",", records) + "]" : string.Join("\n", records);
                    var bytes = Encoding.UTF8.GetBytes(text);
                    await socket.SendAsync(Encode?.Invoke(bytes) ?? bytes, Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, token);
                    sentHere++;
                }

                await Task.Delay(Pause, token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException)
        {
            // the client went away (or was killed)
        }
    }

    private async Task ReadClientAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var how = "aborted";
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var result = await socket.ReceiveAsync(buffer, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    var serverStarted = socket.State == WebSocketState.Closed; // we had sent our close: this is the answer
                    how = serverStarted ? "answered" : $"client {(int?)result.CloseStatus}";
                    if (!serverStarted)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cancellationToken);
                    }

                    break;
                }

                if (result.MessageType == WebSocketMessageType.Text)
                {
                    lock (Received)
                    {
                        Received.Add(Encoding.UTF8.GetString(buffer, 0, result.Count));
                    }
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException)
        {
        }

        lock (Closes)
        {
            Closes.Add(how);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
