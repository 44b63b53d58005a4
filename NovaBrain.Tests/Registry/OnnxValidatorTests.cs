using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NovaBrain.ModelRegistry.Validation;

namespace NovaBrain.Tests.Registry;

/// <summary>The validator in-process, on real ONNX files written to disk.</summary>
[TestClass]
public sealed class OnnxValidatorTests
{
    [TestMethod]
    public void Validate_AnMlp_PassesWithItsSignatureAndOpset()
    {
        var (passed, refused) = Validate(RegistryClient.Mlp());

        Assert.IsNull(refused);
        Assert.AreEqual((ValidationStatuses.Passed, 17L, OnnxValidator.CpuExecutionProvider), (passed!.Status, passed.Opset, passed.ExecutionProvider));
        Assert.AreEqual(("input", "FP32"), (passed.Signature.Inputs.Single().Name, passed.Signature.Inputs.Single().Datatype));
        CollectionAssert.AreEqual(new long[] { -1, 784 }, passed.Signature.Inputs.Single().Shape.ToArray());
        CollectionAssert.AreEqual(new long[] { -1, 10 }, passed.Signature.Outputs.Single().Shape.ToArray());
    }

    [TestMethod]
    public void Validate_WithCudaConfigured_RunsOnCudaOrFallsBackToTheCpu()
    {
        var (passed, refused) = Validate(RegistryClient.Mlp(), new ValidationOptions { UseCuda = true });

        Assert.IsNull(refused);
        CollectionAssert.Contains(new[] { OnnxValidator.CudaExecutionProvider, OnnxValidator.CpuExecutionProvider }, passed!.ExecutionProvider);
        StringAssert.Contains(passed.Reasons[0], passed.ExecutionProvider);
    }

    [TestMethod]
    public void Validate_RefusesEachKindOfBadModel_WithItsReason()
    {
        var valid = RegistryClient.Mlp();
        Assert.AreEqual(ValidationRefusals.InvalidOnnxModel, Validate(valid[..(valid.Length / 3)]).Refused?.Reason);
        Assert.AreEqual(ValidationRefusals.InvalidOnnxModel, Validate("not a model at all"u8.ToArray()).Refused?.Reason);
        Assert.AreEqual(ValidationRefusals.UnsupportedOpset, Validate(RegistryClient.Mlp(opset: 99)).Refused?.Reason);
        Assert.AreEqual(ValidationRefusals.UnsupportedOpset, Validate(RegistryClient.Mlp(opset: 5)).Refused?.Reason);
        Assert.AreEqual(ValidationRefusals.TrialInferenceFailed, Validate(RegistryClient.ReshapeThatCannotRun()).Refused?.Reason);
    }

    private static (ValidationResult? Passed, ValidationRefusal? Refused) Validate(byte[] model, ValidationOptions? options = null)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, model);
            return new OnnxValidator(Options.Create(options ?? new ValidationOptions()), NullLogger<OnnxValidator>.Instance).Validate(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
