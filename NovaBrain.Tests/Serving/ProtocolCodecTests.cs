extern alias ModelServing;

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using ModelServing::NovaBrain.ModelServing.Engines;
using ModelServing::NovaBrain.ModelServing.Protocol;
using ModelServing::NovaBrain.ModelServing.Protocol.Rest;
using Served = ModelServing::NovaBrain.ModelServing.Protocol.Grpc;

namespace NovaBrain.Tests.Serving;

/// <summary>The protocol's wire forms decoded to the engine's raw tensors and back: REST JSON, binary tensor data, gRPC contents.</summary>
[TestClass]
public sealed class ProtocolCodecTests
{
    [TestMethod]
    public void Rest_NestedAndFlatData_DecodeToTheSameRowMajorBytes()
    {
        var nested = Decode("""{"inputs":[{"name":"x","datatype":"INT16","shape":[2,2],"data":[[1,-2],[3,4]]}]}""");
        var flat = Decode("""{"inputs":[{"name":"x","datatype":"INT16","shape":[2,2],"data":[1,-2,3,4]}]}""");

        CollectionAssert.AreEqual(MemoryMarshal.AsBytes<short>([1, -2, 3, 4]).ToArray(), nested.Request.Inputs[0].Data.ToArray());
        CollectionAssert.AreEqual(nested.Request.Inputs[0].Data.ToArray(), flat.Request.Inputs[0].Data.ToArray());
        Assert.AreEqual(TensorDataType.Int16, nested.Request.Inputs[0].DataType);
    }

    [TestMethod]
    public void Rest_BytesBoolAndHalf_DecodeToTheProtocolsRawForms()
    {
        var decoded = Decode("""
            {"id":"a","parameters":{"timeout":2500},"inputs":[
              {"name":"s","datatype":"BYTES","shape":[2],"data":["hé",""]},
              {"name":"b","datatype":"BOOL","shape":[3],"data":[true,false,true]},
              {"name":"h","datatype":"FP16","shape":[1],"data":[1.5]}],
             "outputs":[{"name":"y","parameters":{"binary_data":true}}]}
            """);

        var bytes = decoded.Request.Inputs[0].Data.ToArray();
        Assert.AreEqual(3u, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.AreEqual("hé", Encoding.UTF8.GetString(bytes, 4, 3));
        Assert.AreEqual(0u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(7)));
        CollectionAssert.AreEqual(new byte[] { 1, 0, 1 }, decoded.Request.Inputs[1].Data.ToArray());
        Assert.AreEqual((Half)1.5, BinaryPrimitives.ReadHalfLittleEndian(decoded.Request.Inputs[2].Data.Span));
        Assert.AreEqual("a", decoded.Request.Id);
        Assert.AreEqual(TimeSpan.FromMicroseconds(2500), decoded.Request.Timeout);
        Assert.IsTrue(decoded.IsBinary("y"));
        Assert.IsFalse(decoded.IsBinary("z"));
    }

    [TestMethod]
    public void Rest_BinaryTensorData_IsTakenInInputOrderFromAfterTheJson()
    {
        var json = Encoding.UTF8.GetBytes("""
            {"inputs":[{"name":"a","datatype":"FP32","shape":[2],"parameters":{"binary_data_size":8}},
                       {"name":"b","datatype":"UINT8","shape":[3],"parameters":{"binary_data_size":3}}],
             "parameters":{"binary_data_output":true}}
            """);
        var floats = new[] { 0.5f, -1f };
        byte[] binary = [.. MemoryMarshal.AsBytes(floats.AsSpan()), 7, 8, 9];

        var decoded = RestInferenceCodec.Decode(json, binary, "m", null);

        CollectionAssert.AreEqual(new[] { 0.5f, -1f }, MemoryMarshal.Cast<byte, float>(decoded.Request.Inputs[0].Data.Span).ToArray());
        CollectionAssert.AreEqual(new byte[] { 7, 8, 9 }, decoded.Request.Inputs[1].Data.ToArray());
        Assert.IsTrue(decoded.IsBinary("anything"));
    }

    [TestMethod]
    [DataRow("{\"inputs\": [", "failed to parse the request JSON")]
    [DataRow("[]", "must be a JSON object")]
    [DataRow("{}", "'inputs' array")]
    [DataRow("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP33\",\"shape\":[1],\"data\":[1]}]}", "unknown datatype")]
    [DataRow("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2],\"data\":[1]}]}", "elements")]
    [DataRow("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1,2]}]}", "more elements")]
    [DataRow("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"UINT8\",\"shape\":[1],\"data\":[300]}]}", "not a UINT8")]
    [DataRow("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1],\"data\":[1]}]}", "non-negative")]
    [DataRow("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"parameters\":{\"binary_data_size\":4}}]}", "beyond the binary data")]
    public void Rest_MalformedRequests_AreBadInput(string json, string reason)
    {
        var failure = Assert.ThrowsExactly<InferenceException>(() => Decode(json));

        Assert.AreEqual(InferenceError.InvalidArgument, failure.Error);
        Assert.AreEqual(400, failure.HttpStatus);
        StringAssert.Contains(failure.Message, reason);
    }

    [TestMethod]
    public void Rest_Response_WritesJsonDataAndBinaryOutputsApart()
    {
        var request = Decode("""{"id":"7","inputs":[],"outputs":[{"name":"raw","parameters":{"binary_data":true}},{"name":"text"}]}""");
        var response = new InferenceResponse("m", "3", "7",
        [
            new TensorData("raw", TensorDataType.Fp32, [2], MemoryMarshal.AsBytes<float>([1.25f, 2f]).ToArray()),
            new TensorData("text", TensorDataType.Bytes, [1], new byte[] { 2, 0, 0, 0, (byte)'o', (byte)'k' }),
        ]);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var binary = new List<ReadOnlyMemory<byte>>();

        using (var writer = new Utf8JsonWriter(buffer))
        {
            RestInferenceCodec.Encode(writer, response, request, binary);
        }

        var root = JsonDocument.Parse(buffer.WrittenMemory).RootElement;
        Assert.AreEqual(("m", "3", "7"), (root.GetProperty("model_name").GetString(), root.GetProperty("model_version").GetString(), root.GetProperty("id").GetString()));
        Assert.AreEqual(8, root.GetProperty("outputs")[0].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.IsFalse(root.GetProperty("outputs")[0].TryGetProperty("data", out _));
        Assert.AreEqual("ok", root.GetProperty("outputs")[1].GetProperty("data")[0].GetString());
        CollectionAssert.AreEqual(MemoryMarshal.AsBytes<float>([1.25f, 2f]).ToArray(), binary.Single().ToArray());
    }

    [TestMethod]
    public void Grpc_TypedContentsAndRawContents_DecodeToTheSameBytes()
    {
        var typed = new Served.ModelInferRequest { ModelName = "m", ModelVersion = "2", Id = "x" };
        typed.Inputs.Add(new Served.ModelInferRequest.Types.InferInputTensor
        {
            Name = "input", Datatype = "FP32", Shape = { 1, 3 }, Contents = new Served.InferTensorContents { Fp32Contents = { 1f, 2.5f, -3f } },
        });
        typed.Inputs.Add(new Served.ModelInferRequest.Types.InferInputTensor
        {
            Name = "words", Datatype = "BYTES", Shape = { 1 }, Contents = new Served.InferTensorContents { BytesContents = { ByteString.CopyFromUtf8("hi") } },
        });
        var raw = new Served.ModelInferRequest { ModelName = "m" };
        raw.Inputs.Add(new Served.ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { 1, 3 } });
        raw.Inputs.Add(new Served.ModelInferRequest.Types.InferInputTensor { Name = "words", Datatype = "BYTES", Shape = { 1 } });
        raw.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes<float>([1f, 2.5f, -3f])));
        raw.RawInputContents.Add(ByteString.CopyFrom(2, 0, 0, 0, (byte)'h', (byte)'i'));

        var fromTyped = Served.InferenceGrpcService.Decode(typed);
        var fromRaw = Served.InferenceGrpcService.Decode(raw);

        for (var i = 0; i < 2; i++)
        {
            CollectionAssert.AreEqual(fromRaw.Inputs[i].Data.ToArray(), fromTyped.Inputs[i].Data.ToArray(), fromRaw.Inputs[i].Name);
        }
        Assert.AreEqual(("2", "x"), (fromTyped.Version, fromTyped.Id));
        Assert.IsNull(fromRaw.Version);
    }

    [TestMethod]
    public void Grpc_RawContentsNotOnePerInput_AreBadInput()
    {
        var request = new Served.ModelInferRequest { ModelName = "m" };
        request.Inputs.Add(new Served.ModelInferRequest.Types.InferInputTensor { Name = "a", Datatype = "FP32", Shape = { 1 } });
        request.Inputs.Add(new Served.ModelInferRequest.Types.InferInputTensor { Name = "b", Datatype = "FP32", Shape = { 1 } });
        request.RawInputContents.Add(ByteString.CopyFrom(new byte[4]));

        var failure = Assert.ThrowsExactly<InferenceException>(() => Served.InferenceGrpcService.Decode(request));

        StringAssert.Contains(failure.Message, "one per input");
    }

    private static RestInferenceRequest Decode(string json) => RestInferenceCodec.Decode(Encoding.UTF8.GetBytes(json), ReadOnlyMemory<byte>.Empty, "m", null);
}
