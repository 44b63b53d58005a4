using System.Text.Json;
using NovaBrain.Training.Templates;

namespace NovaBrain.Tests.Training;

/// <summary>Submitted hyperparameters against the built-in templates' schemas.</summary>
[TestClass]
public sealed class HyperparameterValidatorTests
{
    private static readonly TrainingTemplate Classifier = BuiltInTemplates.Find(BuiltInTemplates.MlpClassifier, version: null)!;

    [TestMethod]
    public void Validate_WithNothingSubmitted_FillsEveryDefault()
    {
        var (values, errors) = HyperparameterValidator.Validate(Classifier, null);

        Assert.IsEmpty(errors);
        CollectionAssert.AreEqual(new[] { 64, 32 }, values!.HiddenLayers.ToArray());
        Assert.AreEqual(0.01, values.LearningRate);
        Assert.AreEqual("adam", values.Optimizer);
        Assert.AreEqual(42, values.Seed);
    }

    [TestMethod]
    public void Validate_WithValidValues_UsesThem()
    {
        var (values, errors) = HyperparameterValidator.Validate(Classifier, Parse("""
            { "hiddenLayers": [8], "learningRate": 0.5, "batchSize": 16, "epochs": 3, "optimizer": "sgd", "lrSchedule": "cosine", "seed": 7 }
            """));

        Assert.IsEmpty(errors);
        CollectionAssert.AreEqual(new[] { 8 }, values!.HiddenLayers.ToArray());
        Assert.AreEqual((0.5, 16, 3, "sgd", "cosine", 7), (values.LearningRate, values.BatchSize, values.Epochs, values.Optimizer, values.LrSchedule, values.Seed));
    }

    [TestMethod]
    public void Validate_WithBrokenRules_NamesEachFieldAndItsRule()
    {
        var (values, errors) = HyperparameterValidator.Validate(Classifier, Parse("""
            { "learningRate": 2, "batchSize": 1.5, "optimizer": "rmsprop", "hiddenLayers": [8, 0], "epochs": "ten", "dropout": 0.1 }
            """));

        Assert.IsNull(values);
        Assert.HasCount(6, errors, string.Join("; ", errors.Keys));
        StringAssert.Contains(errors["hyperparameters.learningRate"][0], "from 1E-06 to 1");
        StringAssert.Contains(errors["hyperparameters.batchSize"][0], "is an integer");
        StringAssert.Contains(errors["hyperparameters.optimizer"][0], "one of adam, sgd");
        StringAssert.Contains(errors["hyperparameters.hiddenLayers"][0], "list of 0 to 8 integers");
        StringAssert.Contains(errors["hyperparameters.epochs"][0], "is an integer");
        StringAssert.Contains(errors["hyperparameters.dropout"][0], "has no hyperparameter 'dropout'");
    }

    [TestMethod]
    public void LearningRateAt_FollowsTheSchedule()
    {
        var constant = new Hyperparameters([4], 0.1, 8, 20, "adam", "constant", 0, 0.2, 5, 1);
        Assert.AreEqual(0.1, constant.LearningRateAt(19));
        Assert.AreEqual(0.05, (constant with { LrSchedule = "step" }).LearningRateAt(10), 1e-12);
        Assert.AreEqual(0.05, (constant with { LrSchedule = "cosine" }).LearningRateAt(10), 1e-12);
    }

    private static Dictionary<string, JsonElement> Parse(string json) => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;
}
