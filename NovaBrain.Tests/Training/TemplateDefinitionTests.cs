using System.Text.Json;
using NovaBrain.Training.Templates;

namespace NovaBrain.Tests.Training;

/// <summary>Users' templates derived from the built-in ones: ranges only narrow, defaults stay inside them, errors name field and rule.</summary>
[TestClass]
public sealed class TemplateDefinitionTests
{
    [TestMethod]
    public void Derive_WithNarrowedRangesAndNewDefaults_KeepsTheBaseArchitecture_AndJobsAreHeldToTheNarrowedRules()
    {
        var (template, errors) = TemplateDefinition.Derive(Request("""
            {
              "name": "small-images", "basedOn": "cnn-classifier", "description": "16×16 grey images",
              "hyperparameters": {
                "imageHeight": { "default": 16, "minimum": 16, "maximum": 16 },
                "imageWidth": { "default": 16, "minimum": 16, "maximum": 16 },
                "learningRate": { "default": 0.001, "maximum": 0.01 },
                "optimizer": { "choices": ["adam"] },
                "convFilters": { "default": [4], "maxItems": 2 }
              }
            }
            """), version: 3);

        Assert.IsEmpty(errors, string.Join("; ", errors.Select(error => $"{error.Key}: {error.Value[0]}")));
        Assert.AreEqual(("small-images@3", "cnn", "classification", "cnn-classifier"), (template!.Reference, template.Architecture, template.Task, template.BasedOn));
        var (defaults, _) = HyperparameterValidator.Validate(template, null);
        Assert.AreEqual(("1x16x16", 0.001, "adam"), (defaults!.Convolution!.ShapeText, defaults.LearningRate, defaults.Optimizer));

        var (_, jobErrors) = HyperparameterValidator.Validate(template, Parse("""{ "learningRate": 0.5, "optimizer": "sgd", "imageHeight": 28 }"""));
        StringAssert.Contains(jobErrors["hyperparameters.learningRate"][0], "from 1E-06 to 0.01");
        StringAssert.Contains(jobErrors["hyperparameters.optimizer"][0], "one of adam.");
        StringAssert.Contains(jobErrors["hyperparameters.imageHeight"][0], "from 16 to 16");
    }

    [TestMethod]
    public void Derive_WideningOrBreakingRules_NamesEachFieldAndRule()
    {
        var (template, errors) = TemplateDefinition.Derive(Request("""
            {
              "name": "Bad Name", "basedOn": "mlp-classifier",
              "hyperparameters": {
                "learningRate": { "minimum": 0, "maximum": 2 },
                "batchSize": { "minimum": 64, "maximum": 16 },
                "epochs": { "maximum": 10 },
                "optimizer": { "choices": ["rmsprop"] },
                "seed": { "choices": ["1"] },
                "hiddenLayers": { "maxItems": 9 },
                "dropout": { "default": 0.1 }
              }
            }
            """), version: 1);

        Assert.IsNull(template);
        StringAssert.Contains(errors["name"][0], "lowercase letters");
        StringAssert.Contains(errors["hyperparameters.learningRate.minimum"][0], "from 1E-06 to 1");
        StringAssert.Contains(errors["hyperparameters.learningRate.maximum"][0], "from 1E-06 to 1");
        StringAssert.Contains(errors["hyperparameters.batchSize.maximum"][0], "is below its minimum (64)");
        StringAssert.Contains(errors["hyperparameters.epochs.default"][0], "default 20 lies outside the narrowed rule");
        StringAssert.Contains(errors["hyperparameters.optimizer.choices"][0], "from adam, sgd");
        StringAssert.Contains(errors["hyperparameters.seed.choices"][0], "only choices have choices");
        StringAssert.Contains(errors["hyperparameters.hiddenLayers.maxItems"][0], "from 0 to 8");
        StringAssert.Contains(errors["hyperparameters.dropout"][0], "has no hyperparameter 'dropout'");
    }

    [TestMethod]
    public void Derive_FromNoBuiltInTemplate_OrWithDefaultsThatMakeNoJob_SaysWhy()
    {
        var (_, unknownBase) = TemplateDefinition.Derive(Request("""{ "name": "mine", "basedOn": "transformer" }"""), 1);
        StringAssert.Contains(unknownBase["basedOn"][0], "mlp-classifier, mlp-regressor, cnn-classifier");

        var (_, impossible) = TemplateDefinition.Derive(Request("""
            { "name": "tiny", "basedOn": "cnn-classifier", "hyperparameters": { "imageHeight": { "default": 4 }, "convFilters": { "default": [2, 2, 2] } } }
            """), 1);
        StringAssert.Contains(impossible["hyperparameters.convFilters.default"][0], "a 4×28 image allows at most 2");
    }

    [TestMethod]
    public void StoredSpecs_ReadBackFromJson_GiveJobsTheSameDefaults()
    {
        var (template, _) = TemplateDefinition.Derive(Request("""
            { "name": "wide", "basedOn": "mlp-regressor", "hyperparameters": { "hiddenLayers": { "default": [128, 64] }, "lrSchedule": { "default": "cosine" } } }
            """), 1);
        var json = JsonSerializer.Serialize(template!.Hyperparameters, JsonSerializerOptions.Web);
        var read = JsonSerializer.Deserialize<List<HyperparameterSpec>>(json, JsonSerializerOptions.Web)!.Select(TemplateDefinition.WithTypedDefault).ToList();

        var (values, errors) = HyperparameterValidator.Validate(template with { Hyperparameters = read }, null);
        Assert.IsEmpty(errors);
        CollectionAssert.AreEqual(new[] { 128, 64 }, values!.HiddenLayers.ToArray());
        Assert.AreEqual(("cosine", 42), (values.LrSchedule, values.Seed));
    }

    private static CreateTemplateRequest Request(string json) => JsonSerializer.Deserialize<CreateTemplateRequest>(json, JsonSerializerOptions.Web)!;

    private static Dictionary<string, JsonElement> Parse(string json) => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;
}
