# Get-FaceEmbedding -ModelPath: the sample ONNX recogniser on crops of the real sample photos, offline, through the same
# store and resume rules as the HTTP path, and giving the same vectors as the local endpoint serving that model.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'LocalEndpoint.psm1') -Force
    $script:manifest = Get-TestModuleManifest
    Import-Module $script:manifest -Force
    $script:moduleDir = Split-Path $script:manifest
    $script:root = Get-TestRepositoryRoot
    . (Join-Path $script:root 'build/Assets.ps1')

    $script:skip = try {
        # Cached after the build's first fetch.
        $script:assets = Get-TestAssets -CacheDirectory (Join-Path $script:root '.cache')
        if (-not (Test-Path -LiteralPath $script:assets.RecognizerModel)) { 'the sample model is not fetched (build.ps1 -Task Fetch)' } else { $null }
    }
    catch { "the sample model and photos cannot be fetched: $($_.Exception.Message)" }
    if ($script:skip) { return }

    $script:recognizer = $script:assets.RecognizerModel
    # The sample recogniser's own pixel convention, (x - 127) / 128, from the package's fr_feature.js.
    $script:local = @{ ModelPath = $script:recognizer; Normalization = 'faceplugin' }

    # Every clearly visible face of the six sample photos (FindFace.Tests.ps1 counts them: 22), cropped once.
    $script:cropDir = Join-Path $TestDrive 'crops'
    $script:crops = @($script:assets.Photos | Find-Face | New-FaceCrop -OutputDirectory $script:cropDir)

    # A crop of a real photo with no face in it: the dark bottom-left corner of sample1 (a sleeve, a wall).
    $script:noFace = Join-Path $TestDrive 'background/corner.png'
    $null = New-Item -ItemType Directory -Path (Split-Path $script:noFace) -Force
    $photo = [SixLabors.ImageSharp.Image]::Load($script:assets.Photos[0])
    try {
        $corner = [SixLabors.ImageSharp.Processing.ProcessingExtensions]::Clone($photo, [Action[SixLabors.ImageSharp.Processing.IImageProcessingContext]] {
                param($context)
                $null = [SixLabors.ImageSharp.Processing.CropExtensions]::Crop($context, [SixLabors.ImageSharp.Rectangle]::new(0, $photo.Height - 240, 240, 240))
            })
        try { [SixLabors.ImageSharp.ImageExtensions]::SaveAsPng($corner, $script:noFace) } finally { $corner.Dispose() }
    }
    finally { $photo.Dispose() }

    function Get-MaxDifference([float[]] $A, [float[]] $B) {
        $max = 0.0
        for ($i = 0; $i -lt $A.Length; $i++) { $max = [Math]::Max($max, [Math]::Abs($A[$i] - $B[$i])) }
        $max
    }

    function Get-Norm([float[]] $V) {
        $sum = 0.0
        foreach ($x in $V) { $sum += [double]$x * $x }
        [Math]::Sqrt($sum)
    }

}

Describe 'Find-Face | New-FaceCrop | Get-FaceEmbedding -ModelPath on the sample photos' {
    BeforeAll {
        if ($script:skip) { return }
        $script:store = Join-Path $TestDrive 'pipeline-store'
        $script:pipelineCrops = Join-Path $TestDrive 'pipeline-crops'
        $script:first = @($script:assets.Photos | Find-Face | New-FaceCrop -OutputDirectory $script:pipelineCrops |
                Get-FaceEmbedding @script:local -OutputDirectory $script:store)
        $script:indexAfterFirst = @(Get-Content -LiteralPath (Join-Path $script:store 'fr_feature/index.jsonl'))
    }

    It 'embeds every face crop offline: one unit-length 512-d FaceEmbedding per face, stored as .npy' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $script:first.Count | Should -Be 22 -Because 'the six photos hold 22 clearly visible faces'
        foreach ($e in $script:first) {
            $e | Should -BeOfType ([InsightFaceEval.FaceEmbedding])
            "$($e.Status)" | Should -Be 'Success'
            $e.Model | Should -Be 'fr_feature' -Because 'the model name defaults to the file name without its extension'
            $e.Dimension | Should -Be 512
            $e.FromStore | Should -BeFalse
            [Math]::Abs((Get-Norm $e.Vector) - 1) | Should -BeLessThan 1e-4
            $e.EmbeddingPath | Should -Exist
        }
        # Identity and key come from the FaceCrop objects by property name.
        $cropKeys = @(Get-ChildItem -LiteralPath $script:pipelineCrops -Recurse -Filter *.png).Count
        $cropKeys | Should -Be 22
        ($script:first.Identity | Sort-Object -Unique) | Should -Be 'demo' -Because "New-FaceCrop labels each crop with its photo's folder"
        @($script:first.RelativePath | Sort-Object -Unique).Count | Should -Be 22
        @($script:first.Sha256 | Sort-Object -Unique).Count | Should -Be 22
        $script:indexAfterFirst.Count | Should -Be 22

        # What the store holds is what came out, and different faces got different vectors.
        $imported = @(Import-FaceEmbedding -Path $script:store)
        $imported.Count | Should -Be 22
        foreach ($e in $script:first) {
            $stored = $imported | Where-Object RelativePath -EQ $e.RelativePath
            Get-MaxDifference $stored.Vector $e.Vector | Should -Be 0
        }
        $vectors = @($script:first | ForEach-Object { [string]::Join(',', $_.Vector[0..7]) } | Sort-Object -Unique)
        $vectors.Count | Should -Be 22
    }

    It 'resumes: running the whole pipeline again embeds nothing new' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        # New-FaceCrop -Force writes the same PNG bytes again, so every crop is already in the store.
        $again = @($script:assets.Photos | Find-Face | New-FaceCrop -OutputDirectory $script:pipelineCrops -Force |
                Get-FaceEmbedding @script:local -OutputDirectory $script:store)

        $again.Count | Should -Be 22
        @($again | Where-Object { -not $_.FromStore }).Count | Should -Be 0
        @($again | Where-Object { $_.Elapsed -ne [TimeSpan]::Zero }).Count | Should -Be 0
        @(Get-Content -LiteralPath (Join-Path $script:store 'fr_feature/index.jsonl')).Count | Should -Be $script:indexAfterFirst.Count
        foreach ($e in $again) {
            $before = $script:first | Where-Object RelativePath -EQ $e.RelativePath
            Get-MaxDifference $before.Vector $e.Vector | Should -Be 0
        }
    }
}

Describe 'Get-FaceEmbedding -ModelPath: crops it cannot embed' {
    It 'reports a crop without a face as a failure to acquire and a damaged file as rejected, and embeds the rest' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $damaged = Join-Path $TestDrive 'damaged/cut.png'
        $null = New-Item -ItemType Directory -Path (Split-Path $damaged) -Force
        # A PNG cut after its header: the signature says image, the bytes do not decode.
        [IO.File]::WriteAllBytes($damaged, [byte[]]([IO.File]::ReadAllBytes($script:crops[0].Path)[0..199]))
        $store = Join-Path $TestDrive 'errors-store'
        $files = @($script:crops[0].Path, $script:noFace, $damaged, $script:crops[5].Path)

        $out = @(Get-FaceEmbedding -LiteralPath $files @script:local -OutputDirectory $store -ErrorVariable problems -ErrorAction SilentlyContinue)

        @($out | Where-Object { "$($_.Status)" -eq 'Success' }).Count | Should -Be 2
        $failed = @($out | Where-Object { "$($_.Status)" -eq 'NoFace' })
        $failed.Count | Should -Be 1
        $failed[0].Path | Should -Be $script:noFace
        $failed[0].Dimension | Should -Be 0
        $problems.Count | Should -Be 2
        $noFace = $problems | Where-Object { $_.FullyQualifiedErrorId -like 'GetFaceEmbeddingNoFace,*' }
        $noFace.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $noFace.TargetObject | Should -Be $script:noFace
        $rejected = $problems | Where-Object { $_.FullyQualifiedErrorId -like 'GetFaceEmbeddingImageRejected,*' }
        $rejected.CategoryInfo.Category | Should -Be 'InvalidData'
        $rejected.TargetObject | Should -Be $damaged

        # A rerun does not try the faceless crop again: the store remembers the failure to acquire.
        $again = @(Get-FaceEmbedding -LiteralPath $script:noFace @script:local -OutputDirectory $store -ErrorVariable again2 -ErrorAction SilentlyContinue)
        $again[0].FromStore | Should -BeTrue
        "$($again[0].Status)" | Should -Be 'NoFace'
        $again2[0].FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingNoFace,*'
    }
}

Describe 'Get-FaceEmbedding -ModelPath against the local endpoint serving the same model' {
    BeforeAll {
        if ($script:skip) { return }
        $script:endpoint = Start-TestEndpoint -Models @{ dingo = "$($script:recognizer);normalization=faceplugin" }
    }

    AfterAll { $script:endpoint | Stop-TestEndpoint }

    It 'gives the same vector for the same crop over HTTP and offline (within 1e-5), and the same failures to acquire' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $files = @($script:crops.Path) + $script:noFace
        $http = @(Get-FaceEmbedding -LiteralPath $files -Model dingo -ServerUrl $script:endpoint.Url -OutputDirectory (Join-Path $TestDrive 'http-store') -ErrorAction SilentlyContinue)
        $offline = @(Get-FaceEmbedding -LiteralPath $files -Model dingo @script:local -OutputDirectory (Join-Path $TestDrive 'offline-store') -ErrorAction SilentlyContinue)

        $http.Count | Should -Be 23
        $offline.Count | Should -Be 23
        [int](Get-TestEndpointStats $script:endpoint).requests | Should -Be 23 -Because 'the HTTP run really went through the endpoint'
        $worst = 0.0
        foreach ($h in $http) {
            $o = $offline | Where-Object RelativePath -EQ $h.RelativePath
            $o.Model | Should -Be 'dingo'
            "$($o.Status)" | Should -Be "$($h.Status)"
            $o.Sha256 | Should -Be $h.Sha256
            if ("$($h.Status)" -eq 'Success') {
                $o.Dimension | Should -Be $h.Dimension
                $worst = [Math]::Max($worst, (Get-MaxDifference $h.Vector $o.Vector))
            }
        }
        @($http | Where-Object { "$($_.Status)" -eq 'NoFace' }).Path | Should -Be $script:noFace
        Write-Host ("Largest difference between HTTP and offline vectors over 22 faces: {0:g3}" -f $worst)
        $worst | Should -BeLessThan 1e-5
    }

    It 'loads ONNX Runtime only for -ModelPath, from the module''s runtimes folder, never for the HTTP path' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $crop = $script:crops[0].Path
        $result = Invoke-ChildPwsh @"
`$ErrorActionPreference = 'Stop'
$(Get-OnnxStateFunction)
Import-Module '$($script:manifest)'
`$overHttp = @(Get-FaceEmbedding -LiteralPath '$crop' -Model dingo -ServerUrl '$($script:endpoint.Url)' -OutputDirectory '$(Join-Path $TestDrive 'lazy-http')')
`$afterHttp = Get-OnnxState
`$offline = @(Get-FaceEmbedding -LiteralPath '$crop' -ModelPath '$($script:recognizer)' -Normalization faceplugin -OutputDirectory '$(Join-Path $TestDrive 'lazy-local')')
[pscustomobject]@{ AfterHttp = `$afterHttp; Http = `$overHttp[0].Dimension; Offline = `$offline[0].Dimension; AfterOffline = Get-OnnxState } | ConvertTo-Json -Depth 4 -Compress
"@
        $result.Http | Should -Be 512
        $result.AfterHttp.Managed | Should -BeFalse
        $result.AfterHttp.Native | Should -BeNullOrEmpty
        $result.Offline | Should -Be 512
        $result.AfterOffline.Managed | Should -BeTrue
        $result.AfterOffline.Native | Should -Be (Join-Path $script:moduleDir (Get-OnnxNativeRelativePath))
    }
}

Describe 'Get-FaceEmbedding -ModelPath options' {
    It 'preprocesses as told: -InputMean 127 -InputStd 128 is the faceplugin preset, the insightface default differs' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $crop = $script:crops[2].Path
        # One store each: the store keys results by model name, so a changed preprocessing needs its own store or name.
        $preset = Get-FaceEmbedding -LiteralPath $crop @script:local -OutputDirectory (Join-Path $TestDrive 'norm-preset')
        $custom = Get-FaceEmbedding -LiteralPath $crop -ModelPath $script:recognizer -InputMean 127 -InputStd 128 -OutputDirectory (Join-Path $TestDrive 'norm-custom')
        $default = Get-FaceEmbedding -LiteralPath $crop -ModelPath $script:recognizer -OutputDirectory (Join-Path $TestDrive 'norm-default')
        $bgr = Get-FaceEmbedding -LiteralPath $crop @script:local -ChannelOrder Bgr -OutputDirectory (Join-Path $TestDrive 'norm-bgr')

        Get-MaxDifference $preset.Vector $custom.Vector | Should -Be 0
        # (x - 127.5) / 127.5 instead of (x - 127) / 128: a small shift of every input value, a small change of the vector.
        Get-MaxDifference $preset.Vector $default.Vector | Should -BeGreaterThan 1e-4
        Get-MaxDifference $preset.Vector $bgr.Vector | Should -BeGreaterThan 1e-3
    }

    It 'names each model by -Model, one name per file' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $out = @(Get-FaceEmbedding -LiteralPath $script:crops[0].Path -ModelPath $script:recognizer, $script:recognizer -Model plain, q -Normalization faceplugin -OutputDirectory (Join-Path $TestDrive 'names'))
        ($out.Model | Sort-Object) | Should -Be @('plain', 'q')
        Join-Path $TestDrive 'names/plain/index.jsonl' | Should -Exist
        Join-Path $TestDrive 'names/q/index.jsonl' | Should -Exist
    }

    It 'stops with <ErrorId> when <Case>' -ForEach @(
        @{ Case = 'the model file does not exist'; ErrorId = 'GetFaceEmbeddingModelNotFound'; Category = 'ObjectNotFound'; Arguments = @{ ModelPath = 'nothing-here.onnx' }; Message = 'does not exist' }
        @{ Case = 'the model is a face detector'; ErrorId = 'GetFaceEmbeddingModelMismatch'; Category = 'InvalidData'; Arguments = @{ ModelPath = 'fr_detect.onnx' }; Message = 'Expected one float input [N,3,S,S]' }
        @{ Case = 'the model is not an ONNX model'; ErrorId = 'GetFaceEmbeddingModelUnreadable'; Category = 'InvalidData'; Arguments = @{ ModelPath = '../LICENSE' }; Message = 'is not an ONNX model' }
        @{ Case = 'the detector is a recognition model'; ErrorId = 'GetFaceEmbeddingDetectorUnknownLayout'; Category = 'InvalidData'; Arguments = @{ ModelPath = 'fr_feature.onnx'; DetectorPath = 'fr_feature.onnx' }; Message = "outputs 'scores' [1,N,2] and 'boxes' [1,N,4] (Ultra-Light), or 6 or 9 outputs (SCRFD" }
        @{ Case = 'two names are given for one model'; ErrorId = 'GetFaceEmbeddingModelNameCountMismatch'; Category = 'InvalidArgument'; Arguments = @{ ModelPath = 'fr_feature.onnx'; Model = 'a', 'b' }; Message = 'one name per -ModelPath file' }
        @{ Case = 'two models would share a name'; ErrorId = 'GetFaceEmbeddingDuplicateModelName'; Category = 'InvalidArgument'; Arguments = @{ ModelPath = 'fr_feature.onnx', 'fr_feature.onnx' }; Message = "under the name 'fr_feature'" }
    ) {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $call = @{ LiteralPath = $script:crops[0].Path; OutputDirectory = (Join-Path $TestDrive 'refused'); ErrorAction = 'Stop' }
        foreach ($key in $Arguments.Keys) {
            $call[$key] = if ($key -like '*Path') { $Arguments[$key] | ForEach-Object { Join-Path $script:assets.ModelDirectory $_ } } else { $Arguments[$key] }
        }

        $thrown = { Get-FaceEmbedding @call } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $thrown.CategoryInfo.Category | Should -Be $Category
        $thrown.Exception.Message | Should -Match ([regex]::Escape($Message))
        Join-Path $TestDrive 'refused/*/index.jsonl' | Should -Not -Exist -Because 'nothing is embedded when the models cannot be opened'
    }

    It 'does not take -ServerUrl together with -ModelPath' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        { Get-FaceEmbedding -LiteralPath $script:crops[0].Path -ModelPath $script:recognizer -ServerUrl 'http://127.0.0.1:9/x' } |
            Should -Throw -ErrorId 'AmbiguousParameterSet,InsightFaceEval.Commands.GetFaceEmbeddingCommand'
    }
}

Describe 'The local endpoint''s real-model mode refuses what it cannot serve' {
    It 'stops at start with a message naming <Case>' -ForEach @(
        @{ Case = 'a missing recogniser'; Spec = 'missing-model.onnx'; Message = 'does not exist' }
        @{ Case = 'an unknown option'; Spec = 'fr_feature.onnx;colour=grey'; Message = "'colour=grey' is not an option" }
        @{ Case = 'a JPEG quality out of range'; Spec = 'fr_feature.onnx;jpeg=0'; Message = "'jpeg=0' is not an option" }
        @{ Case = 'a model that is not a recogniser'; Spec = 'fr_detect.onnx'; Message = 'Expected one float input [N,3,S,S]' }
    ) {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $spec = Join-Path $script:assets.ModelDirectory $Spec
        $thrown = { Start-TestEndpoint -Models @{ dingo = $spec } } | Should -Throw -PassThru
        $thrown.Exception.Message | Should -Match 'exited with code 2'
        $thrown.Exception.Message | Should -Match "Model 'dingo'"
        $thrown.Exception.Message | Should -Match ([regex]::Escape($Message))
    }
}

Describe 'The local endpoint serving the real model keeps its rate limit and faults' {
    It 'ends every crop with the fault-free vector despite injected faults and 429s' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $files = @($script:crops.Path)
        $reference = @{}
        Get-FaceEmbedding -LiteralPath $files -Model dingo @script:local -OutputDirectory (Join-Path $TestDrive 'faults-reference') |
            ForEach-Object { $reference[$_.RelativePath] = $_.Vector }
        $endpoint = Start-TestEndpoint -Models @{ dingo = "$($script:recognizer);normalization=faceplugin" } -FaultRate 0.3 -FaultKinds 500, 503, drop, malformed -FaultSeed 7 -RateLimit 15 -RateBurst 2
        try {
            $out = @(Get-FaceEmbedding -LiteralPath $files -Model dingo -ServerUrl $endpoint.Url -OutputDirectory (Join-Path $TestDrive 'faults-store') -ThrottleLimit 4)
            $stats = Get-TestEndpointStats $endpoint
        }
        finally { $endpoint | Stop-TestEndpoint }

        $out.Count | Should -Be 22
        foreach ($e in $out) {
            "$($e.Status)" | Should -Be 'Success'
            Get-MaxDifference $reference[$e.RelativePath] $e.Vector | Should -BeLessThan 1e-5
        }
        ($stats.faults.Values | Measure-Object -Sum).Sum | Should -BeGreaterThan 0 -Because 'the real model sits behind the same fault injection'
        $stats.rateLimited | Should -BeGreaterThan 0 -Because 'four workers outrun 15 requests per second'
        $stats.successes | Should -Be 22 -Because 'no crop was embedded twice once it had succeeded'
    }

    It 'answers a damaged upload with a client error for a re-encoding model too, so it is not retried' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $damaged = Join-Path $TestDrive 'damaged-upload/cut.png'
        $null = New-Item -ItemType Directory -Path (Split-Path $damaged) -Force
        [IO.File]::WriteAllBytes($damaged, [byte[]]([IO.File]::ReadAllBytes($script:crops[1].Path)[0..199]))
        $endpoint = Start-TestEndpoint -Models @{ plain = "$($script:recognizer);normalization=faceplugin"; q50 = "$($script:recognizer);normalization=faceplugin;jpeg=50" }
        try {
            $out = @(Get-FaceEmbedding -LiteralPath $damaged, $script:crops[1].Path -Model plain, q50 -ServerUrl $endpoint.Url -OutputDirectory (Join-Path $TestDrive 'damaged-store') -ErrorVariable problems -ErrorAction SilentlyContinue)
            $stats = Get-TestEndpointStats $endpoint
        }
        finally { $endpoint | Stop-TestEndpoint }

        @($out | Where-Object Path -EQ $script:crops[1].Path).Model | Sort-Object | Should -Be @('plain', 'q50')
        @($out | Where-Object Path -EQ $damaged).Count | Should -Be 0
        $rejected = @($problems | Where-Object TargetObject -EQ $damaged)
        $rejected.Count | Should -Be 2
        foreach ($problem in $rejected) {
            $problem.FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingImageRejected,*'
        }
        $stats.requests | Should -Be 4 -Because 'one request per image and model: a 4xx is not retried'
    }
}
