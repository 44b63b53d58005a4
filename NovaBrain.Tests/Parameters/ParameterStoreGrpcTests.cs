using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using NovaBrain.Parameters.Grpc;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.EndToEnd;
using static NovaBrain.Tests.Parameters.Safetensors;

namespace NovaBrain.Tests.Parameters;

/// <summary><c>novabrain.parameters.v1.ParameterStore</c> through the gateway's gRPC port, on the running system.</summary>
[TestClass]
public sealed class ParameterStoreGrpcTests
{
    private const int ChunkBytes = 1024 * 1024;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task UploadBlob_ThenDownloadBlob_RoundTripsAFewMegabytes_UnderTheirDigest()
    {
        var system = await RunningSystem.GetAsync();
        var headers = Bearer(await system.AdminTokenAsync());
        using var channel = GrpcChannel.ForAddress($"http://localhost:{system.GatewayGrpcPort}");
        var client = new ParameterStore.ParameterStoreClient(channel);
        var bytes = RandomNumberGenerator.GetBytes(5 * ChunkBytes + 123);
        var digest = DigestOf(bytes);

        var stored = await UploadAsync(client, headers, bytes, digest, bytes.Length);
        Assert.AreEqual((digest, bytes.Length, true), (stored.Digest, stored.Size, stored.Created));
        var again = await UploadAsync(client, headers, bytes, expectedDigest: "", bytes.Length);
        Assert.AreEqual((digest, false), (again.Digest, again.Created), "stored once, named by its digest");

        var downloaded = await DownloadAsync(client.DownloadBlob(new DownloadBlobRequest { Digest = digest }, headers), chunk => chunk.Data);
        Assert.AreEqual(digest, DigestOf(downloaded));
        var range = await DownloadAsync(client.DownloadBlob(new DownloadBlobRequest { Digest = digest, Offset = ChunkBytes - 10, Length = 20 }, headers), chunk => chunk.Data);
        CollectionAssert.AreEqual(bytes[(ChunkBytes - 10)..(ChunkBytes + 10)], range);

        using var admin = await system.CreateAdminClientAsync();
        Assert.AreEqual(digest, DigestOf(await admin.DownloadAsync(digest, TestContext.CancellationToken)), "REST serves what gRPC stored");
    }

    [TestMethod]
    public async Task UploadBlob_WithAChecksumOrSizeMismatch_FailsWithTheReason_AndStoresNothing()
    {
        var system = await RunningSystem.GetAsync();
        var headers = Bearer(await system.AdminTokenAsync());
        using var channel = GrpcChannel.ForAddress($"http://localhost:{system.GatewayGrpcPort}");
        var client = new ParameterStore.ParameterStoreClient(channel);
        var bytes = RandomNumberGenerator.GetBytes(2 * ChunkBytes);
        var claimed = DigestOf(RandomNumberGenerator.GetBytes(16));

        var mismatch = await Assert.ThrowsExactlyAsync<RpcException>(() => UploadAsync(client, headers, bytes, claimed, bytes.Length));
        Assert.AreEqual((StatusCode.InvalidArgument, "digest-mismatch"), (mismatch.StatusCode, mismatch.Trailers.GetValue("reason")));
        var shortOfSize = await Assert.ThrowsExactlyAsync<RpcException>(() => UploadAsync(client, headers, bytes, "", bytes.Length + 1));
        Assert.AreEqual((StatusCode.InvalidArgument, "size-mismatch"), (shortOfSize.StatusCode, shortOfSize.Trailers.GetValue("reason")));

        var missing = await Assert.ThrowsExactlyAsync<RpcException>(() =>
            DownloadAsync(client.DownloadBlob(new DownloadBlobRequest { Digest = DigestOf(bytes) }, headers), chunk => chunk.Data));
        Assert.AreEqual(StatusCode.NotFound, missing.StatusCode, "nothing half-written is visible");
    }

    [TestMethod]
    public async Task ListTensorsAndDownloadTensor_GiveAVersionsTensors_AndWritesNeedParamsWrite()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = Accounts.Unique("grpc");
        var weights = F32(Uniform(300_000, 4));
        await admin.AddVersionAsync(name, Write([new Tensor("bias", "F32", [3], F32([1, 2, 3])), new Tensor("w", "F32", [600, 500], weights)]), "safetensors", TestContext.CancellationToken);

        var reader = await system.CreateClientAsync("params:read");
        var headers = Bearer(await system.TokenOfAsync(reader));
        using var channel = GrpcChannel.ForAddress($"http://localhost:{system.GatewayGrpcPort}");
        var client = new ParameterStore.ParameterStoreClient(channel);

        var list = await client.ListTensorsAsync(new TensorsRequest { Set = name, Version = 1 }, headers);
        Assert.AreEqual("safetensors", list.Layout);
        CollectionAssert.AreEqual(new[] { "bias", "w" }, list.Tensors.Select(tensor => tensor.Name).ToArray());

        TensorInfo? info = null;
        var data = await DownloadAsync(client.DownloadTensor(new DownloadTensorRequest { Set = name, Version = 1, Tensor = "w" }, headers), chunk =>
        {
            info ??= chunk.Info;
            return chunk.Data;
        });
        Assert.AreEqual("F32", info!.Dtype);
        CollectionAssert.AreEqual(new long[] { 600, 500 }, info.Shape.ToArray());
        CollectionAssert.AreEqual(weights, data);

        var unknown = await Assert.ThrowsExactlyAsync<RpcException>(() =>
            DownloadAsync(client.DownloadTensor(new DownloadTensorRequest { Set = name, Version = 1, Tensor = "nope" }, headers), chunk => chunk.Data));
        Assert.AreEqual((StatusCode.NotFound, "tensor-not-found"), (unknown.StatusCode, unknown.Trailers.GetValue("reason")));
        var denied = await Assert.ThrowsExactlyAsync<RpcException>(() => UploadAsync(client, headers, [1, 2, 3], "", 3));
        Assert.AreEqual(StatusCode.PermissionDenied, denied.StatusCode);
        var anonymous = await Assert.ThrowsExactlyAsync<RpcException>(async () => await client.ListTensorsAsync(new TensorsRequest { Set = name, Version = 1 }));
        Assert.AreEqual(StatusCode.Unauthenticated, anonymous.StatusCode);
    }

    private async Task<BlobInfo> UploadAsync(ParameterStore.ParameterStoreClient client, Metadata headers, byte[] bytes, string expectedDigest, long size)
    {
        using var call = client.UploadBlob(headers, cancellationToken: TestContext.CancellationToken);
        await call.RequestStream.WriteAsync(new UploadBlobRequest { Header = new BlobHeader { ExpectedDigest = expectedDigest, Size = size } });
        for (var offset = 0; offset < bytes.Length; offset += ChunkBytes)
        {
            await call.RequestStream.WriteAsync(new UploadBlobRequest { Chunk = ByteString.CopyFrom(bytes, offset, Math.Min(ChunkBytes, bytes.Length - offset)) });
        }
        await call.RequestStream.CompleteAsync();
        return await call;
    }

    private async Task<byte[]> DownloadAsync<T>(AsyncServerStreamingCall<T> call, Func<T, ByteString> dataOf)
    {
        using (call)
        {
            using var bytes = new MemoryStream();
            await foreach (var message in call.ResponseStream.ReadAllAsync(TestContext.CancellationToken))
            {
                dataOf(message).WriteTo(bytes);
            }
            return bytes.ToArray();
        }
    }

    private static Metadata Bearer(string token) => new() { { "authorization", $"Bearer {token}" } };

    private static string DigestOf(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}
