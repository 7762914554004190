@{
    # The one version source: Directory.Build.props reads ModuleVersion from here for every assembly.
    ModuleVersion        = '0.1.0'
    RootModule           = 'InsightFaceEval.dll'
    # Loaded first so scripts can name the output types ([InsightFaceEval.FaceEmbedding]) right after import.
    RequiredAssemblies   = @('InsightFaceEval.Core.dll')
    GUID                 = '5d86a7b3-2ccd-48b3-8392-ed5bd603b77f'
    Author               = 'InsightFaceEval contributors'
    CompanyName          = 'InsightFaceEval'
    Copyright            = '(c) InsightFaceEval contributors. MIT License.'
    Description          = 'Evaluate face-recognition models on your own photos: lossless face crops, rate-limit-aware embedding extraction from the hosted InsightFace API or a local ONNX model, cosine scoring, and verification/identification metrics with confidence intervals.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('InsightFaceEval.Format.ps1xml')
    CmdletsToExport      = @(
        'New-FaceCrop'
        'Get-FaceEmbedding'
        'Import-FaceEmbedding'
        'Compare-FaceEmbedding'
        'Measure-FaceVerification'
        'Measure-FaceIdentification'
        'Find-Face'
        'Export-FaceEvaluationReport'
        'Test-FaceVerificationBaseline'
        'Test-FaceEmbeddingDrift'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('FaceRecognition', 'Biometrics', 'Evaluation', 'InsightFace', 'ROC', 'Windows', 'Linux', 'MacOS')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
