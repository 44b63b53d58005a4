extern alias ModelServing;

using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using ModelServing::NovaBrain.ModelServing.Infrastructure;

namespace NovaBrain.Tests.Serving;

/// <summary>
/// The artifact cache downloading over HTTP from a server that answers the parameter service's blob path: verified by
/// digest and size, downloaded once, the least recently used files evicted beyond the size limit.
/// </summary>
[TestClass]
public sealed class ArtifactCacheTests
{
    private const int FileSize = 1000;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Get_DownloadsOnce_ThenAnswersFromTheFolder()
    {
        await using var blobs = await BlobServer.StartAsync();
        var (digest, bytes) = blobs.Add();
        var cache = blobs.Cache(maxBytes: 10 * FileSize);

        var first = await cache.GetAsync(digest, FileSize, TestContext.CancellationToken);
        var second = await cache.GetAsync(digest, FileSize, TestContext.CancellationToken);

        Assert.AreEqual(first, second);
        CollectionAssert.AreEqual(bytes, await File.ReadAllBytesAsync(first, TestContext.CancellationToken));
        Assert.AreEqual(1, blobs.Downloads);
    }

    [TestMethod]
    public async Task Get_OfBytesThatDoNotMatchTheirDigestOrSize_FailsAndKeepsNothing()
    {
        await using var blobs = await BlobServer.StartAsync();
        var (digest, _) = blobs.Add(corrupt: true);
        var (honest, _) = blobs.Add();
        var cache = blobs.Cache(maxBytes: 10 * FileSize);

        var mismatch = await Assert.ThrowsExactlyAsync<ArtifactException>(() => cache.GetAsync(digest, FileSize, TestContext.CancellationToken));
        var wrongSize = await Assert.ThrowsExactlyAsync<ArtifactException>(() => cache.GetAsync(honest, FileSize - 1, TestContext.CancellationToken));

        StringAssert.Contains(mismatch.Message, "downloaded as sha256:");
        StringAssert.Contains(wrongSize.Message, "larger than");
        Assert.IsEmpty(Directory.GetFiles(cache.Root));
    }

    [TestMethod]
    public async Task BeyondItsSize_TheLeastRecentlyUsedFileIsEvicted()
    {
        await using var blobs = await BlobServer.StartAsync();
        var (a, _) = blobs.Add();
        var (b, _) = blobs.Add();
        var (c, _) = blobs.Add();
        var cache = blobs.Cache(maxBytes: 2 * FileSize + FileSize / 2);

        var pathA = await cache.GetAsync(a, FileSize, TestContext.CancellationToken);
        var pathB = await cache.GetAsync(b, FileSize, TestContext.CancellationToken);
        await cache.GetAsync(a, FileSize, TestContext.CancellationToken);
        var pathC = await cache.GetAsync(c, FileSize, TestContext.CancellationToken);

        Assert.IsTrue(File.Exists(pathA), "used most recently but one");
        Assert.IsFalse(File.Exists(pathB), "least recently used");
        Assert.IsTrue(File.Exists(pathC), "just fetched");
        Assert.AreEqual(3, blobs.Downloads);
    }

    /// <summary>An HTTP server answering <c>GET /api/params/v1/blobs/{digest}</c> with the bytes added to it.</summary>
    private sealed class BlobServer : IAsyncDisposable
    {
        private readonly Dictionary<string, byte[]> blobs = [];
        private readonly WebApplication app;
        private int downloads;

        private BlobServer()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            app = builder.Build();
            app.MapGet("/api/params/v1/blobs/{digest}", (string digest) =>
            {
                Interlocked.Increment(ref downloads);
                return blobs.TryGetValue(digest, out var bytes) ? Results.Bytes(bytes, "application/octet-stream") : Results.NotFound();
            });
        }

        public int Downloads => Volatile.Read(ref downloads);

        public static async Task<BlobServer> StartAsync()
        {
            var server = new BlobServer();
            await server.app.StartAsync();
            return server;
        }

        /// <summary>Adds random bytes under their digest, or under another digest when <paramref name="corrupt"/>.</summary>
        public (string Digest, byte[] Bytes) Add(bool corrupt = false)
        {
            var bytes = RandomNumberGenerator.GetBytes(FileSize);
            var digest = $"sha256:{Convert.ToHexStringLower(SHA256.HashData(corrupt ? RandomNumberGenerator.GetBytes(8) : bytes))}";
            blobs[digest] = bytes;
            return (digest, bytes);
        }

        public ArtifactCache Cache(long maxBytes)
        {
            var http = new ServiceCollection()
                .AddHttpClient(ArtifactCache.HttpClientName, client => client.BaseAddress = new Uri(app.Urls.First())).Services
                .BuildServiceProvider()
                .GetRequiredService<IHttpClientFactory>();
            var root = Directory.CreateTempSubdirectory("novabrain-cache-").FullName;
            var options = Microsoft.Extensions.Options.Options.Create(new ServingOptions { Cache = new ArtifactCacheOptions { Root = root, MaxBytes = maxBytes } });
            return new ArtifactCache(http, options, new HostingEnvironment { ContentRootPath = root }, NullLogger<ArtifactCache>.Instance);
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
