# InsightFace's own offline pipeline: SCRFD and RetinaFace detectors in every published output layout, model packs,
# norm_crop alignment and the ArcFace input rule. No InsightFace weights are reachable here, so the models are built
# at test time (tests/TestModels/make_test_models.py, Debian's python3-onnx) with the real signatures and outputs
# that are known functions of the input; an independent numpy reading (reference_detect.py) decodes them again.

BeforeDiscovery {
    # Faces planted for the SCRFD heads (stride, anchor -> colour) and for the RetinaFace heads.
    $script:scrfdFaces = @(
        @{ colour = 'red'; x = 240; y = 160; size = 8 }
        @{ colour = 'green'; x = 480; y = 96; size = 8; intensity = 0.9 }
        @{ colour = 'blue'; x = 96; y = 320; size = 16 }
        @{ colour = 'yellow'; x = 480; y = 352; size = 16; intensity = 0.95 }
        @{ colour = 'cyan'; x = 320; y = 480; size = 32 }
        @{ colour = 'magenta'; x = 96; y = 544; size = 32; intensity = 0.85 }
        # Below the 0.5 threshold (score 0.45): not a face.
        @{ colour = 'red'; x = 560; y = 560; size = 8; intensity = 0.45 }
    )
    $script:retinaFaces = @(
        @{ colour = 'red'; x = 240; y = 160; size = 8 }
        @{ colour = 'green'; x = 96; y = 320; size = 16; intensity = 0.9 }
        @{ colour = 'blue'; x = 320; y = 480; size = 32 }
        @{ colour = 'yellow'; x = 448; y = 192; size = 64; intensity = 0.95 }
    )
    $script:layoutCases = @(
        @{ Model = 'scrfd_kps.onnx'; Layout = 'SCRFD, 9 outputs, unbatched, free input size (det_10g.onnx''s output names)'; Family = 'SCRFD'; Keypoints = $true }
        @{ Model = 'scrfd_kps_batched.onnx'; Layout = 'SCRFD, 9 outputs, batched, fixed 640x640'; Family = 'SCRFD'; Keypoints = $true }
        @{ Model = 'scrfd_nokps.onnx'; Layout = 'SCRFD, 6 outputs, unbatched, fixed 640x640'; Family = 'SCRFD'; Keypoints = $false }
        @{ Model = 'scrfd_nokps_batched.onnx'; Layout = 'SCRFD, 6 outputs, batched, free input size'; Family = 'SCRFD'; Keypoints = $false }
        @{ Model = 'retinaface_kps.onnx'; Layout = 'RetinaFace, 15 outputs, unbatched, fixed 640x640'; Family = 'RetinaFace'; Keypoints = $true }
        @{ Model = 'retinaface_nokps_batched.onnx'; Layout = 'RetinaFace, 10 outputs, batched, free input size'; Family = 'RetinaFace'; Keypoints = $false }
    )
    # The same faces: at the detection size, letterboxed with padding below, and at twice the size (scaled down).
    $script:imageCases = @(
        @{ Image = '640x640'; Width = 640; Height = 640; Factor = 1 }
        @{ Image = '640x480 (padded below)'; Width = 640; Height = 480; Factor = 1 }
        @{ Image = '1280x1280 (scaled by 0.5)'; Width = 1280; Height = 1280; Factor = 2 }
    )
    $script:cases = foreach ($l in $script:layoutCases) {
        foreach ($i in $script:imageCases) {
            $case = $l + $i
            $case.FaceList = if ($l.Family -eq 'SCRFD') { $script:scrfdFaces } else { $script:retinaFaces }
            $case
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:manifest = Get-TestModuleManifest
    Import-Module $script:manifest -Force
    $script:root = Get-TestRepositoryRoot
    $script:python = Get-TestPython
    $script:scripts = Join-Path $script:root 'tests/TestModels'
    $script:models = Join-Path $script:root 'out/TestModels'
    $script:skip = $null
    if (-not (Test-PythonModule -Name onnx, numpy, cv2)) {
        $script:skip = "Debian's python3-onnx, python3-numpy and python3-opencv are not all installed (apt-get install python3-onnx python3-opencv); the test models cannot be built"
    }
    else {
        & $script:python (Join-Path $script:scripts 'make_test_models.py') $script:models | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "make_test_models.py failed ($LASTEXITCODE)" }
    }

    function New-PlantedImage([string] $Path, [int] $Width, [int] $Height, [object[]] $Faces, [int] $Factor = 1) {
        $scaled = foreach ($f in $Faces) {
            $copy = @{}
            foreach ($k in $f.Keys) { $copy[$k] = $f[$k] }
            foreach ($k in 'x', 'y', 'size') { $copy[$k] = $f[$k] * $Factor }
            $copy
        }
        $spec = Join-Path $TestDrive ([IO.Path]::GetRandomFileName() + '.json')
        ConvertTo-Json -InputObject @($scaled) -Depth 3 | Set-Content -LiteralPath $spec -Encoding UTF8
        $null = New-Item -ItemType Directory -Path (Split-Path $Path) -Force
        & $script:python (Join-Path $script:scripts 'reference_detect.py') plant $Path $Width $Height $spec
        if ($LASTEXITCODE -ne 0) { throw "planting faces failed ($LASTEXITCODE)" }
    }

    function Get-ReferenceFace([string] $Model, [string] $Image, [int] $Size = 640, [double] $Threshold = 0.5) {
        $text = & $script:python (Join-Path $script:scripts 'reference_detect.py') detect $script:models $Model $Image $Size $Threshold 0.4
        if ($LASTEXITCODE -ne 0) { throw "reference_detect.py failed ($LASTEXITCODE)" }
        @(($text | ConvertFrom-Json) | ForEach-Object { $_ } | Sort-Object { $_.box[0] })
    }

    function Assert-SameFace([object[]] $Actual, [object[]] $Expected, [bool] $Keypoints) {
        $Actual.Count | Should -Be $Expected.Count
        for ($i = 0; $i -lt $Expected.Count; $i++) {
            for ($k = 0; $k -lt 4; $k++) {
                # DetectedFace rounds boxes to 0.01 px.
                [Math]::Abs($Actual[$i].BoundingBox[$k] - $Expected[$i].box[$k]) | Should -BeLessThan 0.011
            }
            [Math]::Abs($Actual[$i].DetectionScore - $Expected[$i].score) | Should -BeLessThan 1e-5
            $Actual[$i].Landmarks.Count | Should -Be 10
            if ($Keypoints) {
                for ($k = 0; $k -lt 10; $k++) {
                    [Math]::Abs($Actual[$i].Landmarks[$k] - $Expected[$i].kps[$k]) | Should -BeLessThan 1e-3
                }
            }
        }
    }
}

Describe 'Find-Face with SCRFD and RetinaFace detectors' -ForEach @(@{ ScrfdFaces = $script:scrfdFaces }) {
    It 'decodes <Layout> on a <Image> image exactly as an independent numpy reading does' -ForEach $script:cases {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        # Faces that fall below a 640x480 image are left out of it.
        $planted = @($FaceList | Where-Object { ($_.y + $_.size) -le $Height / $Factor })
        $image = Join-Path $TestDrive "planted/$Family-$Width-$Height.png"
        if (-not (Test-Path -LiteralPath $image)) { New-PlantedImage -Path $image -Width $Width -Height $Height -Faces $planted -Factor $Factor }

        $expected = Get-ReferenceFace -Model $Model -Image $image
        $actual = @(Find-Face -LiteralPath $image -DetectorPath (Join-Path $script:models $Model) -Verbose 4>&1)
        $verbose = @($actual | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $detected = @($actual | Where-Object { $_ -is [InsightFaceEval.DetectedFace] })

        # Every planted face at or above the threshold, and nothing else.
        $expected.Count | Should -Be @($planted | Where-Object { $_.intensity -ne 0.45 }).Count
        Assert-SameFace -Actual $detected -Expected $expected -Keypoints $Keypoints
        $detected[0].Detector | Should -Be $Model
        ($verbose.Message -join "`n") | Should -Match ($Family + ' \(')
        if ($Keypoints) { ($verbose.Message -join "`n") | Should -Match 'landmarks from the detector' }
    }

    It 'runs a detector with a free input size at -DetectionSize, and one that fixes its size at that size' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $small = @($ScrfdFaces | Where-Object { $_.x + $_.size -le 320 -and $_.y + $_.size -le 320 -and -not $_.intensity })
        $image = Join-Path $TestDrive 'planted/small-320.png'
        New-PlantedImage -Path $image -Width 320 -Height 320 -Faces $small

        $at320 = @(Find-Face -LiteralPath $image -DetectorPath (Join-Path $script:models 'scrfd_kps.onnx') -DetectionSize 320 -Verbose 4>&1)
        Assert-SameFace -Actual @($at320 | Where-Object { $_ -is [InsightFaceEval.DetectedFace] }) -Expected (Get-ReferenceFace -Model 'scrfd_kps.onnx' -Image $image -Size 320) -Keypoints $true
        ($at320 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match 'input 320x320'

        $fixed = @(Find-Face -LiteralPath $image -DetectorPath (Join-Path $script:models 'scrfd_kps_batched.onnx') -DetectionSize 320 -Verbose 4>&1)
        ($fixed | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match 'input 640x640'
        Assert-SameFace -Actual @($fixed | Where-Object { $_ -is [InsightFaceEval.DetectedFace] }) -Expected (Get-ReferenceFace -Model 'scrfd_kps_batched.onnx' -Image $image) -Keypoints $true
    }

    It 'refuses a detection size that is not a multiple of the largest stride' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $image = Join-Path $TestDrive 'planted/odd.png'
        New-PlantedImage -Path $image -Width 64 -Height 64 -Faces @()
        $thrown = { Find-Face -LiteralPath $image -DetectorPath (Join-Path $script:models 'retinaface_nokps_batched.onnx') -DetectionSize 320 -ErrorAction Stop } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -BeLike 'FindFaceInvalidDetectionSize,*'
        $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $thrown.Exception.Message | Should -Match 'multiple of 128'
    }

    It 'names what it found when a detector has a layout it does not know' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $thrown = { Find-Face -LiteralPath (Join-Path $TestDrive 'planted/odd.png') -DetectorPath (Join-Path $script:models 'arcface.onnx') -ErrorAction Stop } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -BeLike 'FindFaceDetectorUnknownLayout,*'
        $thrown.CategoryInfo.Category | Should -Be 'InvalidData'
        $thrown.TargetObject | Should -Be (Join-Path $script:models 'arcface.onnx')
        $thrown.Exception.Message | Should -Match ([regex]::Escape("found inputs 'input.1' float[?,3,112,112]; outputs '683' float[?,512]"))
    }
}

Describe 'Model packs' -ForEach @(@{ ScrfdFaces = $script:scrfdFaces }) {
    It 'uses the detector of a pack and says which file plays which role' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $image = Join-Path $TestDrive 'planted/pack.png'
        New-PlantedImage -Path $image -Width 640 -Height 640 -Faces $ScrfdFaces
        $out = @(Find-Face -LiteralPath $image -ModelPack (Join-Path $script:models 'pack') -Verbose 4>&1)
        $verbose = ($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
        $verbose | Should -Match 'det_10g\.onnx: detector'
        $verbose | Should -Match 'w600k_r50\.onnx: recogniser'
        $verbose | Should -Match 'genderage\.onnx: skipped \(a 96x96 input: an attribute'
        $faces = @($out | Where-Object { $_ -is [InsightFaceEval.DetectedFace] })
        $faces.Count | Should -Be 6
        $faces[0].Detector | Should -Be 'det_10g.onnx'
    }

    It 'stops with <ErrorId> when <Case>' -ForEach @(
        @{ Case = 'the pack has no detector'; Files = @('w600k_r50.onnx'); ErrorId = 'FindFaceModelPackNoDetector'; Message = 'has no detector' }
        @{ Case = 'the pack folder does not exist'; Files = $null; ErrorId = 'FindFaceModelPackNotFound'; Message = 'does not exist' }
    ) {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $pack = Join-Path $TestDrive ('pack-' + [IO.Path]::GetRandomFileName())
        if ($Files) {
            $null = New-Item -ItemType Directory -Path $pack
            foreach ($f in $Files) { Copy-Item -LiteralPath (Join-Path $script:models "pack/$f") -Destination $pack }
        }
        $thrown = { Find-Face -LiteralPath (Join-Path $TestDrive 'planted/pack.png') -ModelPack $pack -ErrorAction Stop } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $thrown.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $thrown.Exception.Message | Should -Match $Message
    }
}

Describe 'Find-Face -DetectorPath <SCRFD> | New-FaceCrop | Get-FaceEmbedding -ModelPack <pack>' {
    BeforeAll {
        if ($script:skip) { return }
        $script:photos = Join-Path $TestDrive 'photos'
        New-PlantedImage -Path (Join-Path $script:photos 'alice/1.png') -Width 640 -Height 480 -Faces @(@{ colour = 'cyan'; x = 320; y = 224; size = 32 })
        New-PlantedImage -Path (Join-Path $script:photos 'bob/1.png') -Width 480 -Height 640 -Faces @(@{ colour = 'magenta'; x = 224; y = 288; size = 32 })
        $script:store = Join-Path $TestDrive 'store'
        $script:run = Invoke-TestIsolated -Script @'
param($Photos, $Detector, $Crops, $Pack, $Store)
Get-ChildItem -LiteralPath $Photos -Recurse -Filter *.png | Find-Face -DetectorPath $Detector | New-FaceCrop -OutputDirectory $Crops |
    Get-FaceEmbedding -ModelPack $Pack -OutputDirectory $Store -Verbose
'@ -Parameters @{ Photos = $script:photos; Detector = (Join-Path $script:models 'scrfd_kps.onnx'); Crops = (Join-Path $TestDrive 'crops'); Pack = (Join-Path $script:models 'pack'); Store = $script:store }
    }

    It 'embeds each planted face with the pack''s recogniser, re-detected with the pack''s detector' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $script:run.Error | Should -BeNullOrEmpty
        $script:run.Terminating | Should -BeNullOrEmpty
        $script:run.Embeddings.Count | Should -Be 2
        foreach ($e in $script:run.Embeddings) {
            "$($e.Status)" | Should -Be 'Success'
            $e.Model | Should -Be 'w600k_r50'
            $e.Dimension | Should -Be 512
            $e.EmbeddingPath | Should -Exist
        }
        ($script:run.Embeddings.Identity | Sort-Object) | Should -Be @('alice', 'bob')
        $verbose = $script:run.Verbose.Message -join "`n"
        $verbose | Should -Match 'det_10g\.onnx: detector'
        $verbose | Should -Match 'genderage\.onnx: skipped'
        $verbose | Should -Match "Local model 'w600k_r50' \(pack pack: detector det_10g\.onnx, recogniser w600k_r50\.onnx\)"
        $verbose | Should -Match 'insightface: RGB, \(x - 127\.5\) / 127\.5'
    }
}

Describe 'The ArcFace input rule' {
    BeforeAll {
        if ($script:skip) { return }
        $script:crop = Join-Path $TestDrive 'rule/carol/1.png'
        New-PlantedImage -Path $script:crop -Width 256 -Height 256 -Faces @(@{ colour = 'cyan'; x = 96; y = 96; size = 64 })
        $script:detector = Join-Path $script:models 'scrfd_kps.onnx'
        function Get-RuleVector([string] $Model, [hashtable] $Extra = @{}) {
            $r = Invoke-TestIsolated -Script 'param($Crop, $Model, $Detector, $Store, $Extra) Get-FaceEmbedding -LiteralPath $Crop -ModelPath $Model -DetectorPath $Detector -OutputDirectory $Store -Verbose @Extra' -Parameters @{
                Crop = $script:crop; Model = (Join-Path $script:models $Model); Detector = $script:detector; Store = (Join-Path $TestDrive ('rule-' + [IO.Path]::GetRandomFileName())); Extra = $Extra
            }
            $r.Error | Should -BeNullOrEmpty
            $r
        }
    }

    It 'feeds raw pixels to a graph that normalises its input itself, and (x - 127.5) / 127.5 to one that does not' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $plain = Get-RuleVector 'arcface.onnx'
        $mxnet = Get-RuleVector 'arcface_mxnet.onnx'
        ($plain.Verbose.Message -join "`n") | Should -Match 'insightface: RGB, \(x - 127\.5\) / 127\.5 \(InsightFace''s rule'
        ($mxnet.Verbose.Message -join "`n") | Should -Match 'raw: RGB, \(x - 0\) / 1 \(its graph normalises its input itself'
        $a = $plain.Embeddings[0].Vector
        $b = $mxnet.Embeddings[0].Vector
        $a.Count | Should -Be 512
        $max = 0.0
        for ($i = 0; $i -lt 512; $i++) { $max = [Math]::Max($max, [Math]::Abs($a[$i] - $b[$i])) }
        $max | Should -BeLessThan 1e-4 -Because 'both graphs compute the same function of the normalised face'

        # Forcing the preset on the self-normalising graph normalises twice: a different vector.
        $forced = Get-RuleVector 'arcface_mxnet.onnx' @{ Normalization = 'insightface' }
        $c = $forced.Embeddings[0].Vector
        $max = 0.0
        for ($i = 0; $i -lt 512; $i++) { $max = [Math]::Max($max, [Math]::Abs($a[$i] - $c[$i])) }
        $max | Should -BeGreaterThan 0.01
    }
}

Describe 'Alignment equals InsightFace''s norm_crop' {
    BeforeAll {
        $script:photo = $null
        if ($script:skip) { return }
        . (Join-Path $script:root 'build/Assets.ps1')
        try {
            $assets = Get-TestAssets -CacheDirectory (Join-Path $script:root '.cache')
            if (Test-Path -LiteralPath $assets.Photos[0]) { $script:photo = $assets.Photos[0] }
        }
        catch { $script:photo = $null }
    }

    It 'warps <Case> onto the ArcFace template as the same formula in numpy does' -ForEach @(
        @{ Case = 'a face of a sample photo'; Shift = 0 }
        @{ Case = 'a face whose crop reaches past the image edge (black border)'; Shift = 1 }
    ) {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        if (-not $script:photo) { Set-ItResult -Skipped -Because 'the sample photos are not fetched (build.ps1 -Task Fetch)'; return }
        $face = @(Find-Face -LiteralPath $script:photo)[0]
        [float[]] $points = $face.Landmarks
        if ($Shift) {
            # Move the landmarks so the left eye sits 4 px from the left edge: the template's margin falls outside.
            $dx = $points[0] - 4
            for ($i = 0; $i -lt 10; $i += 2) { $points[$i] -= $dx }
        }
        # Both sides read the same decoded pixels (JPEG decoders differ by a few levels): the photo as PNG.
        $image = [InsightFaceEval.Faces.RgbImage]::Load($script:photo)
        $source = Join-Path $TestDrive 'photo.png'
        [IO.File]::WriteAllBytes($source, $image.EncodePng())
        $aligned = [InsightFaceEval.Faces.FaceAlignment]::Align($image, $points, 112)
        $file = Join-Path $TestDrive "aligned-$Shift.png"
        [IO.File]::WriteAllBytes($file, $aligned.EncodePng())
        $m = [InsightFaceEval.Faces.FaceAlignment]::TransformFor($points, 112)

        $arguments = @((Join-Path $script:scripts 'reference_norm_crop.py'), $source, $file, '112') + @($points | ForEach-Object { $_.ToString('R', [Globalization.CultureInfo]::InvariantCulture) })
        $reference = (& $script:python @arguments) | ConvertFrom-Json
        $LASTEXITCODE | Should -Be 0

        $mine = @($m.A, $m.B, $m.C, $m.D, $m.E, $m.F)
        for ($i = 0; $i -lt 6; $i++) { [Math]::Abs($mine[$i] - $reference.matrix[$i]) | Should -BeLessThan 1e-4 }
        # Same formula: equal pixels, but for a rare rounding tie at x.5.
        $reference.maxDifference | Should -BeLessOrEqual 1
        $reference.differingFraction | Should -BeLessThan 0.01
        # OpenCV's warpAffine steps in 1/32 pixel; on average it is within a level of the exact formula.
        $reference.openCvMeanDifference | Should -BeLessThan 1
        if ($Shift) { $reference.blackBorderPixels | Should -BeGreaterThan 100 } else { $reference.blackBorderPixels | Should -Be 0 }
    }
}

Describe 'The model-pack help examples, run as printed' {
    BeforeAll {
        if ($script:skip) { return }
        Import-Module (Join-Path $PSScriptRoot 'WindowsPowerShellSyntax.psm1') -Force
        # The folder the examples run in: ./photos/<person>/*.png and ./buffalo_l, a pack laid out as buffalo_l.
        $script:work = Join-Path $TestDrive 'examples'
        New-PlantedImage -Path (Join-Path $script:work 'photos/alice/1.png') -Width 640 -Height 480 -Faces @(@{ colour = 'cyan'; x = 320; y = 224; size = 32 })
        New-PlantedImage -Path (Join-Path $script:work 'photos/bob/1.png') -Width 480 -Height 640 -Faces @(@{ colour = 'magenta'; x = 224; y = 288; size = 32 })
        Copy-Item -LiteralPath (Join-Path $script:models 'pack') -Destination (Join-Path $script:work 'buffalo_l') -Recurse
    }

    It 'Find-Face, "Detect with the SCRFD detector of an InsightFace model pack": one face per photo, keypoints from det_10g.onnx' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $code = Get-HelpExampleCode 'Find-Face' 'Detect with the SCRFD detector of an InsightFace model pack'
        Push-Location -LiteralPath $script:work
        try { $out = @(. ([scriptblock]::Create($code)) 4>&1) } finally { Pop-Location }
        $faces = @($out | Where-Object { $_ -is [InsightFaceEval.DetectedFace] })
        $faces.Count | Should -Be 2
        $faces.Detector | Sort-Object -Unique | Should -Be 'det_10g.onnx'
        (($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n") | Should -Match 'det_10g\.onnx: detector'
    }

    It 'Get-FaceEmbedding, "InsightFace''s own pipeline offline, with a model pack": both faces stored under w600k_r50' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $code = Get-HelpExampleCode 'Get-FaceEmbedding' 'InsightFace''s own pipeline offline, with a model pack'
        Push-Location -LiteralPath $script:work
        try { $out = @(. ([scriptblock]::Create($code)) 4>$null) } finally { Pop-Location }
        $embeddings = @($out | Where-Object { $_ -is [InsightFaceEval.FaceEmbedding] })
        $embeddings.Count | Should -Be 2
        @($embeddings | Where-Object { "$($_.Status)" -eq 'Success' }).Count | Should -Be 2
        Join-Path $script:work 'store/w600k_r50/index.jsonl' | Should -Exist
    }

    It 'docs/offline-packs.md: its pipeline runs as printed, into a store of its own' {
        if ($script:skip) { Set-ItResult -Skipped -Because $script:skip; return }
        $blocks = @(Get-MarkdownPowerShellBlock -Path (Join-Path $script:root 'docs/offline-packs.md'))
        $blocks.Count | Should -Be 1
        $copy = Join-Path $TestDrive 'examples-doc'
        Copy-Item -LiteralPath $script:work -Destination $copy -Recurse
        Remove-Item -LiteralPath (Join-Path $copy 'store'), (Join-Path $copy 'crops') -Recurse -Force -ErrorAction SilentlyContinue
        Push-Location -LiteralPath $copy
        try { $out = @(. ([scriptblock]::Create($blocks[0].Code)) 4>$null) } finally { Pop-Location }
        @($out | Where-Object { $_ -is [InsightFaceEval.FaceEmbedding] -and "$($_.Status)" -eq 'Success' }).Count | Should -Be 2
        Join-Path $copy 'store/w600k_r50/index.jsonl' | Should -Exist
    }
}
