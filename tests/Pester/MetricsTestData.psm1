# Builds FaceEmbedding and FaceComparison objects for the metrics tests: seeded, so every run sees the same data.

function Initialize-MetricsTypes {
    <# The result types live in InsightFaceEval.Core.dll, which the module loads on first use; the tests build inputs before that. #>
    $core = Join-Path (Split-Path (Get-Module InsightFaceEval).Path) 'InsightFaceEval.Core.dll'
    Add-Type -Path $core
}

function New-TestEmbedding {
    param([string] $Model, [string] $RelativePath, [float[]] $Vector, [string] $Status = 'Success', [string] $Identity)
    if (-not $Identity) { $Identity = $RelativePath.Split('/')[-2] }
    if ($Status -ne 'Success') { $Vector = [float[]]@() }
    [InsightFaceEval.FaceEmbedding]::new("/data/$RelativePath", $RelativePath, $Identity, $Model, $Vector, $Status, $null, $null, [TimeSpan]::Zero, $false)
}

function New-TestDataset {
    <#
    Identities x images of one or more models. Each identity has a random centre; an image is the centre plus noise
    of the model's size, so a model with less noise separates identities better.
    #>
    param([string[]] $Model, [double[]] $Noise, [int] $Identities = 12, [int] $PerIdentity = 4, [int] $Dimension = 32, [int] $Seed = 1, [string[]] $NoFace = @())
    $rng = [Random]::new($Seed)
    $centres = foreach ($id in 1..$Identities) { , [double[]](1..$Dimension | ForEach-Object { $rng.NextDouble() - 0.5 }) }
    for ($m = 0; $m -lt $Model.Count; $m++) {
        for ($id = 0; $id -lt $Identities; $id++) {
            for ($k = 0; $k -lt $PerIdentity; $k++) {
                $rel = 'p{0:D2}/img{1}.png' -f $id, $k
                $v = [float[]]::new($Dimension)
                for ($d = 0; $d -lt $Dimension; $d++) { $v[$d] = $centres[$id][$d] + ($rng.NextDouble() - 0.5) * $Noise[$m] }
                $status = if ("$($Model[$m]):$rel" -in $NoFace) { 'NoFace' } else { 'Success' }
                New-TestEmbedding -Model $Model[$m] -RelativePath $rel -Vector $v -Status $status
            }
        }
    }
}

function New-TestComparison {
    param([string] $Model, [string] $First, [string] $Second, [double] $Similarity, [Nullable[bool]] $IsGenuine,
        [string] $FirstStatus = 'Success', [string] $SecondStatus = 'Success', [int] $Dimension = 0)
    [InsightFaceEval.FaceComparison]::new($Model, 'Test', $Dimension, "/data/$First", $First, $First.Split('/')[0], $FirstStatus,
        "/data/$Second", $Second, $Second.Split('/')[0], $SecondStatus, $Similarity, $IsGenuine, $null)
}

Export-ModuleMember -Function *
