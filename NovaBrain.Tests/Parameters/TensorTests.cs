using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using NovaBrain.Onnx.Building;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.EndToEnd;
using static NovaBrain.Tests.Parameters.Safetensors;

namespace NovaBrain.Tests.Parameters;

/// <summary>The tensors of parameter-set versions (safetensors and ONNX) and diffs between versions, on the running system.</summary>
[TestClass]
public sealed class TensorTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task ListTensors_OfAHandWrittenSafetensorsFile_GivesNamesDtypesShapesSizesAndMetadata()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = Accounts.Unique("tensors");
        var file = Write(
            [
                new Tensor("embedding.weight", "F32", [10, 4], F32(Uniform(40, 1))),
                new Tensor("step", "I64", [], new byte[8]),
                new Tensor("blocks/0/norm.scale", "BF16", [4], [1, 2, 3, 4, 5, 6, 7, 8]),
                new Tensor("mask", "BOOL", [2, 3], new byte[6]),
            ],
            new Dictionary<string, string> { ["format"] = "pt", ["epoch"] = "7" });

        await admin.AddVersionAsync(name, file, "safetensors", TestContext.CancellationToken);
        var listed = await admin.TensorsAsync(name, 1, TestContext.CancellationToken);

        Assert.AreEqual(("safetensors", "safetensors"), (listed.Format, listed.Layout));
        CollectionAssert.AreEqual(
            new[]
            {
                new TensorBody("embedding.weight", "F32", [10, 4], 160),
                new TensorBody("step", "I64", [], 8),
                new TensorBody("blocks/0/norm.scale", "BF16", [4], 8),
                new TensorBody("mask", "BOOL", [2, 3], 6),
            },
            listed.Tensors);
        Assert.AreEqual(182, listed.TotalBytes);
        Assert.AreEqual("7", listed.Metadata["epoch"]);
        Assert.AreEqual("pt", listed.Metadata["format"]);

        using var weights = await admin.GetAsync($"{ParameterApi.Sets}/{name}/versions/1/tensors/embedding.weight", TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, weights.StatusCode);
        CollectionAssert.AreEqual(F32(Uniform(40, 1)), await weights.Content.ReadAsByteArrayAsync(TestContext.CancellationToken));
        Assert.AreEqual(("F32", "10,4"), (weights.Headers.GetValues("Tensor-Dtype").Single(), weights.Headers.GetValues("Tensor-Shape").Single()));
        using var nested = await admin.GetAsync($"{ParameterApi.Sets}/{name}/versions/1/tensors/blocks/0/norm.scale", TestContext.CancellationToken);
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, await nested.Content.ReadAsByteArrayAsync(TestContext.CancellationToken));
        using var missing = await admin.GetAsync($"{ParameterApi.Sets}/{name}/versions/1/tensors/nope", TestContext.CancellationToken);
        await missing.AssertProblemAsync(HttpStatusCode.NotFound, "tensor-not-found");
    }

    [TestMethod]
    public async Task ListTensors_OfAnOnnxModel_GivesItsInitializers_AndOfAnOpaqueFormat_None()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = Accounts.Unique("tensors");
        var model = OnnxModels.Mlp([16, 8, 3], seed: 5).ToByteArray();

        await admin.AddVersionAsync(name, model, "onnx", TestContext.CancellationToken);
        await admin.AddVersionAsync(name, model, "torchscript", TestContext.CancellationToken);

        var onnx = await admin.TensorsAsync(name, 1, TestContext.CancellationToken);
        Assert.AreEqual("onnx", onnx.Layout);
        CollectionAssert.AreEqual(
            new[]
            {
                new TensorBody("layer0.weight", "F32", [16, 8], 16 * 8 * 4),
                new TensorBody("layer0.bias", "F32", [8], 8 * 4),
                new TensorBody("layer1.weight", "F32", [8, 3], 8 * 3 * 4),
                new TensorBody("layer1.bias", "F32", [3], 3 * 4),
            },
            onnx.Tensors);
        var opaque = await admin.TensorsAsync(name, 2, TestContext.CancellationToken);
        Assert.AreEqual(("torchscript", "opaque", 0), (opaque.Format, opaque.Layout, opaque.Tensors.Length));

        using var missing = await admin.GetAsync($"{ParameterApi.Sets}/{name}/versions/3/tensors", TestContext.CancellationToken);
        await missing.AssertProblemAsync(HttpStatusCode.NotFound, "version-not-found");
    }

    [TestMethod]
    public async Task CreateVersion_WithACorruptSafetensorsOrOnnxFile_Returns422WithTheReason_AndCreatesNothing()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = Accounts.Unique("corrupt");
        var valid = Write([new Tensor("w", "F32", [2, 2], F32([1, 2, 3, 4]))]);
        var corrupt = new (byte[] File, string Format, string Reason, string Says)[]
        {
            (valid[..^4], "safetensors", "invalid-safetensors", "data_offsets"),
            (WithHeader(Encoding.UTF8.GetBytes("{\"w\": {\"dtype\": \"F32\", \"shape\": [2, 2], "), new byte[16]), "safetensors", "invalid-safetensors", "not JSON"),
            (WithHeader(Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,16]}}"), new byte[16]), "safetensors", "invalid-safetensors", "needs 24 bytes"),
            (WithHeader(Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,2]}}"), new byte[2]), "safetensors", "invalid-safetensors", "unknown dtype"),
            ([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2], "safetensors", "invalid-safetensors", "header length"),
            (RandomNumberGenerator.GetBytes(4096), "onnx", "invalid-onnx", "ONNX"),
            (OnnxWith(model => model.Graph.Initializer.Add(model.Graph.Initializer[0].Clone())), "onnx", "invalid-onnx", "appears 2 times"),
            (OnnxWith(model => model.Graph.Initializer[1].RawData = ByteString.CopyFrom(new byte[3])), "onnx", "invalid-onnx", "holds 3"),
        };

        foreach (var (file, format, reason, says) in corrupt)
        {
            var blob = await admin.StoreBlobAsync(file, TestContext.CancellationToken);
            using var refused = await admin.PostVersionAsync(name, blob.Digest, format, TestContext.CancellationToken);
            var problem = await refused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, reason);
            StringAssert.Contains(problem.GetProperty("detail").GetString(), says);
        }

        using var set = await admin.GetAsync($"{ParameterApi.Sets}/{name}", TestContext.CancellationToken);
        await set.AssertProblemAsync(HttpStatusCode.NotFound, "set-not-found");
    }

    [TestMethod]
    public async Task Diff_ReportsAddedRemovedAndChangedTensors_WithTheL2NormOfTheDifference()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = Accounts.Unique("diff");
        var before = Uniform(12, 1);
        var after = before.Select((value, i) => i % 3 == 0 ? value + 0.25f : value).ToArray();
        await admin.AddVersionAsync(name, Write(
            [
                new Tensor("a", "F32", [4, 3], F32(before)),
                new Tensor("b", "F32", [5], F32(Uniform(5, 2))),
                new Tensor("c", "I64", [2], new byte[16]),
            ]), "safetensors", TestContext.CancellationToken);
        await admin.AddVersionAsync(name, Write(
            [
                new Tensor("a", "F32", [4, 3], F32(after)),
                new Tensor("b", "F32", [6], F32(Uniform(6, 2))),
                new Tensor("d", "F16", [2], new byte[4]),
            ]), "safetensors", TestContext.CancellationToken);

        var diff = await admin.GetFromJsonAsync<DiffBody>($"{ParameterApi.Sets}/{name}/diff?from=1&to=2", TestContext.CancellationToken);

        CollectionAssert.AreEqual(new[] { new TensorBody("d", "F16", [2], 4) }, diff!.Added);
        CollectionAssert.AreEqual(new[] { new TensorBody("c", "I64", [2], 16) }, diff.Removed);
        var a = diff.Common.Single(tensor => tensor.Name == "a");
        Assert.IsFalse(a.ShapeChanged || a.DtypeChanged);
        Assert.AreEqual(L2(before.Zip(after, (x, y) => (double)y - x)), a.Norms!.Difference, 1e-9);
        Assert.AreEqual(L2(before.Select(x => (double)x)), a.Norms.From, 1e-9);
        Assert.AreEqual(L2(after.Select(x => (double)x)), a.Norms.To, 1e-9);
        Assert.AreEqual(0.25, a.Norms.MaxAbsDifference, 1e-6);
        var b = diff.Common.Single(tensor => tensor.Name == "b");
        Assert.IsTrue(b.ShapeChanged);
        CollectionAssert.AreEqual(new long[] { 5 }, b.FromShape);
        CollectionAssert.AreEqual(new long[] { 6 }, b.ToShape);
        Assert.IsNull(b.Norms, "tensors of different shapes have no difference to measure");

        using var missing = await admin.GetAsync($"{ParameterApi.Sets}/{name}/diff?from=1&to=9", TestContext.CancellationToken);
        await missing.AssertProblemAsync(HttpStatusCode.NotFound, "version-not-found");
    }

    /// <summary>A small real model, changed by <paramref name="change"/>.</summary>
    private static byte[] OnnxWith(Action<NovaBrain.Onnx.Format.ModelProto> change)
    {
        var model = OnnxModels.Mlp([4, 2], seed: 1);
        change(model);
        return model.ToByteArray();
    }

    private static double L2(IEnumerable<double> values) => Math.Sqrt(values.Sum(value => value * value));

    private sealed record NormsBody(double Difference, double From, double To, double MaxAbsDifference);

    private sealed record DeltaBody(string Name, string FromDtype, string ToDtype, long[] FromShape, long[] ToShape, bool DtypeChanged, bool ShapeChanged, NormsBody? Norms);

    private sealed record DiffBody(string Name, int From, int To, TensorBody[] Added, TensorBody[] Removed, DeltaBody[] Common);
}
