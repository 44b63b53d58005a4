using NovaBrain.ModelRegistry.Lineage;
using NovaBrain.ModelRegistry.Validation;
using NovaBrain.ModelRegistry.Versions;

namespace NovaBrain.Tests.Registry;

/// <summary>The registration metadata's checks and the lineage rows it becomes.</summary>
[TestClass]
public sealed class VersionMetadataTests
{
    [TestMethod]
    public void Lineage_BecomesOneRowPerReference_WithParentsAsVersionReferences()
    {
        var lineage = new LineageMetadata(["datasets:/mnist/3"], ["params:/mlp-init/2"], ["models:/base/7"], "job-42", "mlp");

        var (rows, error) = lineage.ToRows();

        Assert.IsNull(error);
        CollectionAssert.AreEqual(
            new[] { "dataset datasets:/mnist/3", "parameter-set params:/mlp-init/2", "model models:/base/7", "training-job job-42", "template mlp" },
            rows.Select(row => $"{row.Kind} {row.Reference}").ToArray());
        Assert.AreEqual(("base", 7), (rows[2].Parent!.Model, rows[2].Parent!.Version!.Value));
        Assert.IsTrue(rows.Where(row => row.Kind != LineageKinds.Model).All(row => row.Parent is null));
    }

    [TestMethod]
    [DataRow("models:/base@champion", null)]
    [DataRow("models:/base/Production", null)]
    [DataRow("base/7", null)]
    [DataRow(null, "weights-v1")]
    [DataRow(null, "params:/Weights/1")]
    [DataRow(null, "params:/weights/0")]
    public void Lineage_RefusesParentsThatAreNotVersionsAndMalformedParameterSets(string? parent, string? parameterSet)
    {
        var lineage = new LineageMetadata(
            Parents: parent is null ? null : [parent],
            ParameterSets: parameterSet is null ? null : [parameterSet]);

        var (rows, error) = lineage.ToRows();

        Assert.IsNotNull(error);
        StringAssert.Contains(error, parent ?? parameterSet);
        Assert.IsEmpty(rows);
    }

    [TestMethod]
    public void Validate_NamesEachInvalidField()
    {
        var metadata = new VersionMetadata(
            Format: "pickle",
            Tags: new() { [""] = "empty key" },
            Metrics: new() { ["loss"] = double.NaN },
            Lineage: new LineageMetadata(Parents: ["nope"]));

        var errors = metadata.Validate();

        CollectionAssert.AreEquivalent(new[] { "format", "tags", "metrics", "lineage" }, errors.Keys.ToArray());
    }

    [TestMethod]
    public void Validate_TakesADeclaredSignatureOnlyForFormatsItDoesNotValidate()
    {
        var signature = new ModelSignature([new TensorSpec("x", "FP32", [-1, 3])], [new TensorSpec("y", "INT64", [-1])]);

        Assert.IsEmpty(new VersionMetadata("torchscript", Signature: signature).Validate());
        Assert.IsTrue(new VersionMetadata("onnx", Signature: signature).Validate().ContainsKey("signature"), "an ONNX signature is read from the model");
        var unknownDatatype = signature with { Inputs = [new TensorSpec("x", "FLOAT", [3])] };
        Assert.IsTrue(new VersionMetadata("torchsharp", Signature: unknownDatatype).Validate().ContainsKey("signature"));
    }
}
