using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.EndToEnd;

namespace NovaBrain.Tests.Parameters;

/// <summary>The parameter service's content-addressed blob store, through the gateway, on the running system.</summary>
[TestClass]
public sealed class BlobStoreTests
{
    private const string Blobs = "/api/params/v1/blobs";
    private const string Uploads = "/api/params/v1/uploads";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task PutThenGet_ReturnsTheSameBytes_WithLengthETagAndRanges()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var bytes = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var digest = DigestOf(bytes);

        using var put = await admin.PutAsync($"{Blobs}/{digest}", Octets(bytes), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Created, put.StatusCode, await put.Content.ReadAsStringAsync(TestContext.CancellationToken));
        var stored = await put.ReadAsync<BlobBody>();
        Assert.AreEqual(digest, stored.Digest);
        Assert.AreEqual(bytes.Length, stored.Size);
        Assert.AreEqual($"{Blobs}/{digest}", put.Headers.Location?.OriginalString);

        using var get = await admin.GetAsync($"{Blobs}/{digest}", TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, get.StatusCode);
        Assert.AreEqual(bytes.Length, get.Content.Headers.ContentLength);
        Assert.AreEqual($"\"{digest}\"", get.Headers.ETag?.Tag);
        CollectionAssert.Contains(get.Headers.AcceptRanges.ToList(), "bytes");
        Assert.AreEqual(digest, DigestOf(await get.Content.ReadAsByteArrayAsync(TestContext.CancellationToken)));

        using var head = await admin.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"{Blobs}/{digest}"), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, head.StatusCode);
        Assert.AreEqual(bytes.Length, head.Content.Headers.ContentLength);

        var info = await admin.GetFromJsonAsync<BlobBody>($"{Blobs}/{digest}/info", TestContext.CancellationToken);
        Assert.AreEqual(new BlobBody(digest, bytes.Length), info);
    }

    [TestMethod]
    public async Task Put_WithAWrongOrMalformedDigest_Returns400_AndStoresNothing()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var bytes = RandomNumberGenerator.GetBytes(256 * 1024);
        var claimed = DigestOf(RandomNumberGenerator.GetBytes(16));

        using var mismatch = await admin.PutAsync($"{Blobs}/{claimed}", Octets(bytes), TestContext.CancellationToken);
        await AssertProblemAsync(mismatch, HttpStatusCode.BadRequest, "digest-mismatch");

        using var missing = await admin.GetAsync($"{Blobs}/{claimed}", TestContext.CancellationToken);
        await AssertProblemAsync(missing, HttpStatusCode.NotFound, "blob-not-found");
        using var actual = await admin.GetAsync($"{Blobs}/{DigestOf(bytes)}", TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.NotFound, actual.StatusCode, "the bytes are not stored under their real digest either");

        using var malformed = await admin.PutAsync($"{Blobs}/sha256:ABC", Octets(bytes), TestContext.CancellationToken);
        var problem = await AssertProblemAsync(malformed, HttpStatusCode.BadRequest, "invalid-digest");
        StringAssert.Contains(problem.GetProperty("detail").GetString(), "sha256:<64 lower-case hex digits>");
    }

    [TestMethod]
    public async Task Put_TheSameBytesTwice_AnswersOkWithTheFirstBlob_AndPostComputesTheDigest()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var bytes = RandomNumberGenerator.GetBytes(512 * 1024);
        var digest = DigestOf(bytes);

        using var first = await admin.PutAsync($"{Blobs}/{digest}", Octets(bytes), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Created, first.StatusCode);
        using var second = await admin.PutAsync($"{Blobs}/{digest}", Octets(bytes), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, second.StatusCode);
        Assert.AreEqual(await first.ReadAsync<BlobBody>(), await second.ReadAsync<BlobBody>());

        var other = RandomNumberGenerator.GetBytes(100_000);
        using var posted = await admin.PostAsync(Blobs, Octets(other), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Created, posted.StatusCode);
        Assert.AreEqual(new BlobBody(DigestOf(other), other.Length), await posted.ReadAsync<BlobBody>());
        using var postedAgain = await admin.PostAsync(Blobs, Octets(other), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, postedAgain.StatusCode);
    }

    [TestMethod]
    public async Task Get_WithARange_Returns206WithExactlyThoseBytes()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var bytes = RandomNumberGenerator.GetBytes(1024 * 1024);
        var digest = DigestOf(bytes);
        (await admin.PutAsync($"{Blobs}/{digest}", Octets(bytes), TestContext.CancellationToken)).EnsureSuccessStatusCode();

        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Blobs}/{digest}");
        request.Headers.Range = new RangeHeaderValue(1000, 70_999);
        using var partial = await admin.SendAsync(request, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.AreEqual(new ContentRangeHeaderValue(1000, 70_999, bytes.Length), partial.Content.Headers.ContentRange);
        CollectionAssert.AreEqual(bytes[1000..71_000], await partial.Content.ReadAsByteArrayAsync(TestContext.CancellationToken));
    }

    [TestMethod]
    public async Task ChunkedUpload_InThreeChunks_RefusesAWrongOffsetWithTheCurrentOne_AndFinishesIntoABlob()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var bytes = RandomNumberGenerator.GetBytes(3 * 700_000);
        var digest = DigestOf(bytes);

        using var started = await admin.PostAsync(Uploads, content: null, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Created, started.StatusCode);
        var upload = await started.ReadAsync<UploadBody>();
        Assert.AreEqual(0, upload.Offset);
        var location = started.Headers.Location!.OriginalString;
        Assert.AreEqual($"{Uploads}/{upload.Id}", location);

        Assert.AreEqual(new UploadBody(upload.Id, 700_000), await SendChunkAsync(admin, HttpMethod.Patch, location, bytes, 0, 700_000));

        using var wrong = await SendAsync(admin, HttpMethod.Patch, location, bytes, 0, 700_000);
        var problem = await AssertProblemAsync(wrong, HttpStatusCode.Conflict, "upload-offset-mismatch");
        Assert.AreEqual(700_000, problem.GetProperty("offset").GetInt64());

        Assert.AreEqual(new UploadBody(upload.Id, 1_400_000), await SendChunkAsync(admin, HttpMethod.Patch, location, bytes, 700_000, 700_000));
        Assert.AreEqual(new UploadBody(upload.Id, 1_400_000), await admin.GetFromJsonAsync<UploadBody>(location, TestContext.CancellationToken));

        // The last chunk comes with the finishing call.
        using var finished = await SendAsync(admin, HttpMethod.Put, $"{location}?digest={digest}", bytes, 1_400_000, 700_000);
        Assert.AreEqual(HttpStatusCode.Created, finished.StatusCode, await finished.Content.ReadAsStringAsync(TestContext.CancellationToken));
        Assert.AreEqual(new BlobBody(digest, bytes.Length), await finished.ReadAsync<BlobBody>());

        Assert.AreEqual(digest, DigestOf(await admin.GetByteArrayAsync($"{Blobs}/{digest}", TestContext.CancellationToken)));
        using var gone = await admin.GetAsync(location, TestContext.CancellationToken);
        await AssertProblemAsync(gone, HttpStatusCode.NotFound, "upload-not-found");
    }

    [TestMethod]
    public async Task FinishUpload_WithAWrongDigest_Returns400_DiscardsTheUpload_AndStoresNothing()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var bytes = RandomNumberGenerator.GetBytes(300_000);
        var wrong = DigestOf(RandomNumberGenerator.GetBytes(8));

        using var started = await admin.PostAsync(Uploads, content: null, TestContext.CancellationToken);
        var location = started.Headers.Location!.OriginalString;
        await SendChunkAsync(admin, HttpMethod.Patch, location, bytes, 0, bytes.Length);

        using var finished = await admin.PutAsync($"{location}?digest={wrong}", content: null, TestContext.CancellationToken);
        await AssertProblemAsync(finished, HttpStatusCode.BadRequest, "digest-mismatch");

        using var blob = await admin.GetAsync($"{Blobs}/{wrong}", TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.NotFound, blob.StatusCode);
        using var real = await admin.GetAsync($"{Blobs}/{DigestOf(bytes)}", TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.NotFound, real.StatusCode);
        using var upload = await admin.GetAsync(location, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.NotFound, upload.StatusCode, "a failed upload is discarded");
    }

    [TestMethod]
    public async Task Upload_OfAGibibyte_ThroughTheGateway_StreamsInBoundedMemory()
    {
        const long size = 1024L * 1024 * 1024;
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        admin.Timeout = TimeSpan.FromMinutes(10);
        using var service = system.ServiceProcess("parameters");
        service.Refresh();
        var before = service.WorkingSet64;

        var content = new GeneratedContent(size, seed: 42);
        long peak;
        HttpResponseMessage posted;
        using (var sampling = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken))
        {
            var sampler = ServiceMemory.PeakWorkingSetAsync(service, sampling.Token);
            posted = await admin.PostAsync(Blobs, content, TestContext.CancellationToken);
            await sampling.CancelAsync();
            peak = await sampler;
        }

        using (posted)
        {
            Assert.AreEqual(HttpStatusCode.Created, posted.StatusCode, await posted.Content.ReadAsStringAsync(TestContext.CancellationToken));
            Assert.AreEqual(new BlobBody(content.Digest, size), await posted.ReadAsync<BlobBody>());
        }

        using var download = await admin.GetAsync($"{Blobs}/{content.Digest}", HttpCompletionOption.ResponseHeadersRead, TestContext.CancellationToken);
        Assert.AreEqual(size, download.Content.Headers.ContentLength);
        await using (var stream = await download.Content.ReadAsStreamAsync(TestContext.CancellationToken))
        {
            Assert.AreEqual(content.Digest, "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, TestContext.CancellationToken)));
        }

        var growth = peak - before;
        TestContext.WriteLine($"parameters working set: {before / 1048576} MiB before, {peak / 1048576} MiB at most during a {size / 1048576} MiB upload (+{growth / 1048576} MiB)");
        Assert.IsLessThan(100L * 1024 * 1024, growth, $"the service's working set grew by {growth / 1048576} MiB during a {size / 1048576} MiB upload");
    }

    [TestMethod]
    public async Task Gateway_LetsBodiesAbove32MiBThroughOnlyWhereTheServiceTakesThem()
    {
        const long size = 40L * 1024 * 1024;
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();

        // Expect: 100-continue, waited for as long as it takes, so the refusal comes before the body is sent rather
        // than as a reset connection.
        using var patient = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = admin.BaseAddress,
        };
        patient.DefaultRequestHeaders.Authorization = admin.DefaultRequestHeaders.Authorization;
        using var tooLarge = new HttpRequestMessage(HttpMethod.Post, "/api/auth/v1/users") { Content = new GeneratedContent(size, seed: 7) };
        tooLarge.Headers.ExpectContinue = true;
        tooLarge.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var refused = await patient.SendAsync(tooLarge, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode, "services without a limit of their own keep the gateway's 32 MiB");

        var content = new GeneratedContent(size, seed: 7);
        using var posted = await admin.PostAsync(Blobs, content, TestContext.CancellationToken);
        Assert.AreEqual(new BlobBody(content.Digest, size), await posted.ReadAsync<BlobBody>());
    }

    [TestMethod]
    public async Task Put_WithOnlyParamsRead_Returns403_WhileGetIsAllowed()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var bytes = RandomNumberGenerator.GetBytes(10_000);
        var digest = DigestOf(bytes);
        (await admin.PutAsync($"{Blobs}/{digest}", Octets(bytes), TestContext.CancellationToken)).EnsureSuccessStatusCode();

        var reader = await system.CreateClientAsync("params:read");
        using var client = system.CreateGatewayClient(await system.TokenOfAsync(reader));

        using var put = await client.PutAsync($"{Blobs}/{DigestOf([1, 2, 3])}", Octets([1, 2, 3]), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Forbidden, put.StatusCode);
        using var upload = await client.PostAsync(Uploads, content: null, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Forbidden, upload.StatusCode);
        CollectionAssert.AreEqual(bytes, await client.GetByteArrayAsync($"{Blobs}/{digest}", TestContext.CancellationToken));
    }

    private static string DigestOf(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static ByteArrayContent Octets(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    private Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, byte[] bytes, int offset, int count)
    {
        var request = new HttpRequestMessage(method, path) { Content = Octets(bytes[offset..(offset + count)]) };
        request.Headers.Add("Upload-Offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return client.SendAsync(request, TestContext.CancellationToken);
    }

    private async Task<UploadBody> SendChunkAsync(HttpClient client, HttpMethod method, string path, byte[] bytes, int offset, int count)
    {
        using var response = await SendAsync(client, method, path, bytes, offset, count);
        var body = await response.ReadAsync<UploadBody>();
        Assert.AreEqual(body.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues("Upload-Offset").Single());
        return body;
    }

    private async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);
        Assert.AreEqual(status, response.StatusCode, body);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.AreEqual($"urn:novabrain:problem:{reason}", problem.GetProperty("type").GetString(), body);
        return problem;
    }

    private sealed record BlobBody(string Digest, long Size);

    private sealed record UploadBody(Guid Id, long Offset);

    /// <summary>
    /// <paramref name="length"/> pseudo-random bytes made while they are sent, a megabyte at a time, and hashed on the
    /// way: a large body without a large allocation.
    /// </summary>
    private sealed class GeneratedContent : HttpContent
    {
        private readonly long length;
        private readonly int seed;

        public GeneratedContent(long length, int seed)
        {
            this.length = length;
            this.seed = seed;
            Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        }

        public string Digest { get; private set; } = "";

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var random = new Random(seed);
            var buffer = new byte[1024 * 1024];
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            for (var remaining = length; remaining > 0;)
            {
                var count = (int)Math.Min(buffer.Length, remaining);
                random.NextBytes(buffer.AsSpan(0, count));
                hash.AppendData(buffer, 0, count);
                await stream.WriteAsync(buffer.AsMemory(0, count));
                remaining -= count;
            }

            Digest = "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
        }

        protected override bool TryComputeLength(out long length)
        {
            length = this.length;
            return true;
        }
    }
}
