using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace PipelineOps.Tests.Shared;

/// <summary>
/// A real WebSocket server on 127.0.0.1 (Kestrel) that sends numbered JSON records: {"type":"tick","id":N,...}.
/// Ids continue across connections, so a collector's files can be checked for loss and duplication. It can send in
/// bursts, drop each connection after some messages, and stall (stop sending without closing).
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

    /// <summary>An HTTP endpoint answering each GET with a JSON array of two records, numbered by poll.</summary>
    public Uri PollUri => new(Uri.ToString().Replace("ws://", "http://", StringComparison.Ordinal).Replace("/feed", "/poll", StringComparison.Ordinal));

    private WebSocketFeed()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.UseWebSockets();
        _app.Map("/feed", Serve);
        _app.MapGet("/poll", () =>
        {
            var polls = Interlocked.Increment(ref _polls);
            return Results.Text($"[{{\"type\":\"price\",\"poll\":{polls},\"n\":1}},{{\"type\":\"price\",\"poll\":{polls},\"n\":2}}]", "application/json");
        });
    }

    public static async Task<WebSocketFeed> StartAsync()
    {
        var feed = new WebSocketFeed();
        await feed._app.StartAsync();
        var address = feed._app.Urls.First().Replace("http://", "ws://", StringComparison.Ordinal);
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

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = Interlocked.Increment(ref _connections);
        _ = ReadClientAsync(socket, context.RequestAborted);
        var sentHere = 0;
        try
        {
            while (socket.State == WebSocketState.Open && !context.RequestAborted.IsCancellationRequested)
            {
                for (var i = 0; i < Burst; i++)
                {
                    if (Stall is { } stall && stall.Connection == connection && sentHere >= stall.Messages)
                    {
                        await Task.Delay(Timeout.Infinite, context.RequestAborted);
                    }

                    if (DropAfter > 0 && sentHere >= DropAfter)
                    {
                        context.Abort(); // no close handshake: as a dropped connection looks
                        return;
                    }

                    if (Sent >= Total)
                    {
                        await Task.Delay(Timeout.Infinite, context.RequestAborted);
                    }

                    var id = Interlocked.Increment(ref _nextId);
                    var json = $"{{\"type\":\"tick\",\"id\":{id},\"connection\":{connection},\"time\":\"{DateTime.UtcNow:yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'}\"}}";
                    await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, context.RequestAborted);
                    sentHere++;
                }

                await Task.Delay(Pause, context.RequestAborted);
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
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, cancellationToken);
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
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
