using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using InsightFaceEval.LocalEndpoint;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// A local stand-in for the hosted extraction endpoint. It prints "Listening on <url>" once bound (port 0 allowed),
// serves POST on every path except /_*, and exposes GET/DELETE /_stats and GET /_health for tests. Paths ending in
// /v1/embeddings speak InsightFace Server's API instead (InsightFaceServerHandler).
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_URLS")))
{
    // Loopback only unless told otherwise: the stand-in is for this machine.
    builder.WebHost.UseUrls("http://127.0.0.1:0");
}

EndpointOptions options;
EmbedderRegistry models;
try
{
    options = EndpointOptions.From(builder.Configuration);
    models = EmbedderRegistry.Create(options.Models);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

using var registry = models;
var stats = new EndpointStats();
var handler = new ExtractionHandler(options, registry, stats);
var server = new InsightFaceServerHandler(options, registry, stats);
var app = builder.Build();

app.MapGet("/_health", () => Results.Json(new { status = "ok", models = registry.Names.ToArray() }));
app.MapGet("/_stats", (HttpContext ctx) => Results.Bytes(stats.ToJson(), "application/json"));
app.MapDelete("/_stats", () =>
{
    stats.Reset();
    return Results.NoContent();
});
// InsightFace Server's API on any path ending in /v1/embeddings (a base URL may carry a prefix, as behind a proxy);
// its public health check, as the server has it; the hosted protocol on every other path.
app.MapGet("/{**path}", (HttpContext ctx) => ctx.Request.Path.Value!.TrimEnd('/').EndsWith("/v1/health", StringComparison.Ordinal)
    ? ctx.Response.WriteAsJsonAsync(new { status = "ready", version = "local", auth_enabled = options.ApiKey != null, request_id = Guid.NewGuid().ToString() })
    : ExtractionHandler.Reply(ctx, 405, "use POST with multipart/form-data"));
app.MapPost("/{**path}", (HttpContext ctx) => InsightFaceServerHandler.Serves(ctx.Request.Path) ? server.HandleServerAsync(ctx) : handler.HandleAsync(ctx));
app.MapFallback(ctx => ExtractionHandler.Reply(ctx, 405, "use POST with multipart/form-data"));

await app.StartAsync();
var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
foreach (var address in addresses ?? Array.Empty<string>())
{
    Console.WriteLine($"Listening on {address}");
}

Console.WriteLine($"InsightFaceEval local endpoint: {options}");
Console.Out.Flush();

if (options.ParentProcessId is int parent)
{
    var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
    _ = Task.Run(async () =>
    {
        while (!lifetime.ApplicationStopping.IsCancellationRequested)
        {
            try
            {
                using var process = Process.GetProcessById(parent);
                if (process.HasExited) { break; }
            }
            catch (ArgumentException)
            {
                break;
            }

            await Task.Delay(1000);
        }

        lifetime.StopApplication();
    });
}

await app.WaitForShutdownAsync();
return 0;
