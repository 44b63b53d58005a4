extern alias ModelServing;

using Microsoft.Extensions.Logging;
using ModelServing::NovaBrain.ModelServing.Engines;

namespace NovaBrain.Tests.Serving;

/// <summary>The ONNX Runtime engine on real models: provider choice and fallback, and results against ONNX Runtime itself.</summary>
[TestClass]
public sealed class OnnxRuntimeEngineTests
{
    [TestMethod]
    public void Load_PreferringCudaWhereItCannotRun_FallsBackToTheCpu_WithOneLineNamingBoth()
    {
        var model = ServingModels.WriteMlp();
        SkipWhereCudaRuns(model);
        var logger = new RecordingLogger();

        using var engine = OnnxRuntimeEngine.Load(model, new EngineSettings([ExecutionProvider.Cuda, ExecutionProvider.Cpu]), logger);

        Assert.AreEqual("CPUExecutionProvider", engine.Provider);
        var line = logger.Entries.Single();
        Assert.AreEqual(LogLevel.Warning, line.Level);
        StringAssert.Contains(line.Message, "CPUExecutionProvider");
        StringAssert.Contains(line.Message, "CUDAExecutionProvider");
    }

    [TestMethod]
    public void Load_RequiringCudaWhereItCannotRun_FailsNamingTheProvider()
    {
        var model = ServingModels.WriteMlp();
        SkipWhereCudaRuns(model);

        var failure = Assert.ThrowsExactly<EngineLoadException>(() =>
            OnnxRuntimeEngine.Load(model, new EngineSettings([ExecutionProvider.Cuda, ExecutionProvider.Cpu], RequireProvider: true), new RecordingLogger()));

        StringAssert.Contains(failure.Message, "required execution provider CUDAExecutionProvider");
    }

    [TestMethod]
    public void Load_OfAFileThatIsNoModel_FailsOnEveryProvider()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("novabrain-serving-").FullName, "broken.onnx");
        File.WriteAllBytes(path, [1, 2, 3, 4]);

        var failure = Assert.ThrowsExactly<EngineLoadException>(() => OnnxRuntimeEngine.Load(path, ServingModels.CpuOnly, new RecordingLogger()));

        StringAssert.Contains(failure.Message, "No execution provider could load the model");
    }

    [TestMethod]
    public void Run_GivesWhatOnnxRuntimeGivesDirectly_AndDescribesTheBatchDimensionAsVariable()
    {
        var model = ServingModels.WriteMlp(seed: 7);
        using var engine = OnnxRuntimeEngine.Load(model, ServingModels.CpuOnly, new RecordingLogger());
        var input = ServingModels.RandomRows(3, seed: 11);

        using var outputs = engine.Run([ServingModels.Input(input)], ["output"]);
        var output = outputs.CopyAll(0);

        ServingModels.AssertClose(ServingModels.RunDirectly(model, input), ServingModels.Floats(output), "output");
        CollectionAssert.AreEqual(new long[] { 3, ServingModels.OutputWidth }, output.Shape);
        Assert.AreEqual(TensorDataType.Fp32, output.DataType);
        CollectionAssert.AreEqual(new long[] { -1, ServingModels.InputWidth }, engine.Inputs.Single().Shape);
        CollectionAssert.AreEqual(new long[] { -1, ServingModels.OutputWidth }, engine.Outputs.Single().Shape);
        Assert.AreEqual("onnxruntime_onnx", engine.Platform);
    }

    /// <summary>These tests are about a machine without a usable GPU; where CUDA does run the model, they prove nothing.</summary>
    private static void SkipWhereCudaRuns(string model)
    {
        try
        {
            using var cuda = OnnxRuntimeEngine.Load(model, new EngineSettings([ExecutionProvider.Cuda], RequireProvider: true), new RecordingLogger());
            Assert.Inconclusive("CUDA runs models on this machine; the fallback is not exercised here.");
        }
        catch (EngineLoadException)
        {
            // CUDA cannot run here: what these tests need.
        }
    }
}
