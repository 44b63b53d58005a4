extern alias ModelServing;

using Microsoft.Extensions.Logging;
using ModelServing::NovaBrain.ModelServing.Engines;

namespace NovaBrain.Tests.Serving;

/// <summary>The TorchSharp engine on a TorchScript model saved by PyTorch 1.13: results against PyTorch's, device choice and fallback.</summary>
[TestClass]
public sealed class TorchScriptEngineTests
{
    [TestMethod]
    public void Run_OnAModelSavedByPyTorch_GivesWhatPyTorchGave()
    {
        using var engine = TorchScriptEngine.Load(TorchScriptFixture.ModelPath, TorchScriptFixture.Inputs, TorchScriptFixture.Outputs, ServingModels.CpuOnly, new RecordingLogger());

        using var outputs = engine.Run([TorchScriptFixture.InputTensor(TorchScriptFixture.Input)], ["output"]);
        var output = outputs.CopyAll(0);

        ServingModels.AssertClose(TorchScriptFixture.PyTorchOutput, ServingModels.Floats(output), "output");
        CollectionAssert.AreEqual(new long[] { TorchScriptFixture.Rows, TorchScriptFixture.OutputWidth }, output.Shape);
        Assert.AreEqual(("output", TensorDataType.Fp32), (output.Name, output.DataType));
        Assert.AreEqual(("pytorch_libtorch", "cpu"), (engine.Platform, engine.Provider));
    }

    [TestMethod]
    public void CopyRows_GivesEachRowWhatPyTorchGaveForIt()
    {
        using var engine = TorchScriptEngine.Load(TorchScriptFixture.ModelPath, TorchScriptFixture.Inputs, TorchScriptFixture.Outputs, ServingModels.CpuOnly, new RecordingLogger());
        using var outputs = engine.Run([TorchScriptFixture.InputTensor(TorchScriptFixture.Input)], ["output"]);

        var last = outputs.CopyRows(0, TorchScriptFixture.Rows - 1, 1);

        CollectionAssert.AreEqual(new long[] { 1, TorchScriptFixture.OutputWidth }, last.Shape);
        ServingModels.AssertClose(TorchScriptFixture.PyTorchOutput[^TorchScriptFixture.OutputWidth..], ServingModels.Floats(last), "last row");
    }

    [TestMethod]
    public void Load_PreferringCudaWhereLibTorchHasNone_FallsBackToTheCpu_WithOneLineNamingBoth()
    {
        SkipWhereCudaRuns();
        var logger = new RecordingLogger();

        using var engine = TorchScriptEngine.Load(
            TorchScriptFixture.ModelPath, TorchScriptFixture.Inputs, TorchScriptFixture.Outputs, new EngineSettings([ExecutionProvider.Cuda, ExecutionProvider.Cpu]), logger);

        Assert.AreEqual("cpu", engine.Provider);
        var line = logger.Entries.Single();
        Assert.AreEqual(LogLevel.Warning, line.Level);
        StringAssert.Contains(line.Message, "on cpu");
        StringAssert.Contains(line.Message, "Cuda: libtorch has no CUDA device here");
    }

    [TestMethod]
    public void Load_RequiringCudaWhereLibTorchHasNone_FailsNamingTheProvider()
    {
        SkipWhereCudaRuns();

        var failure = Assert.ThrowsExactly<EngineLoadException>(() => TorchScriptEngine.Load(
            TorchScriptFixture.ModelPath, TorchScriptFixture.Inputs, TorchScriptFixture.Outputs,
            new EngineSettings([ExecutionProvider.Cuda, ExecutionProvider.Cpu], RequireProvider: true), new RecordingLogger()));

        StringAssert.Contains(failure.Message, "required execution provider Cuda");
    }

    [TestMethod]
    public void Load_OfAFileThatIsNoTorchScript_FailsWithLibTorchsReason()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("novabrain-serving-").FullName, "broken.pt");
        File.WriteAllBytes(path, [1, 2, 3, 4]);

        var failure = Assert.ThrowsExactly<EngineLoadException>(() =>
            TorchScriptEngine.Load(path, TorchScriptFixture.Inputs, TorchScriptFixture.Outputs, ServingModels.CpuOnly, new RecordingLogger()));

        StringAssert.Contains(failure.Message, "not a ZIP archive");
        Assert.DoesNotContain("frame #", failure.Message);
    }

    [TestMethod]
    public void Load_WithASignatureLibTorchCannotCarry_IsRefused()
    {
        var failure = Assert.ThrowsExactly<EngineLoadException>(() => TorchScriptEngine.Load(
            TorchScriptFixture.ModelPath, [new("text", TensorDataType.Bytes, [-1])], TorchScriptFixture.Outputs, ServingModels.CpuOnly, new RecordingLogger()));

        StringAssert.Contains(failure.Message, "'text' is BYTES");
    }

    [TestMethod]
    public void Run_WhenTheModelReturnsOtherThanTheSignatureSays_FailsSayingWhat()
    {
        using var engine = TorchScriptEngine.Load(
            TorchScriptFixture.ModelPath, TorchScriptFixture.Inputs, [.. TorchScriptFixture.Outputs, new("scores", TensorDataType.Fp32, [-1, 2])],
            ServingModels.CpuOnly, new RecordingLogger());

        var failure = Assert.ThrowsExactly<InvalidOperationException>(() =>
            engine.Run([TorchScriptFixture.InputTensor(TorchScriptFixture.Input)], ["output"]));

        StringAssert.Contains(failure.Message, "the signature names 2 tensor output(s)");
    }

    /// <summary>These tests are about a machine whose libtorch has no CUDA; where it has, they prove nothing.</summary>
    private static void SkipWhereCudaRuns()
    {
        if (TorchSharp.torch.cuda.is_available())
        {
            Assert.Inconclusive("libtorch runs CUDA on this machine; the fallback is not exercised here.");
        }
    }
}
