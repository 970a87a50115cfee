"""Tests for dualrev.optim: SGD and Adam against PyTorch, and the Optimizer API.

Every expected number here was computed by PyTorch 2.13 (CPU) running the
same program with ``torch`` in place of ``dualrev``; torch itself is not
needed to run the tests. The trajectories use gradients set directly from a
NumPy formula of the current parameter values (only + - *, so both sides see
the same gradient bits), which isolates the optimizers from autograd.

SGD reproduces PyTorch bit for bit in float32 and float64. Adam agrees to
about 1e-6 relative in float32 (PyTorch's vectorised sqrt is not always
correctly rounded) and about 1e-14 in float64.
"""

import warnings

import numpy as np
import pytest

import dualrev as dr

X0 = [0.5, -1.25, 2.0]
T = [-1.0, 0.5, 2.0]
STEPS = 8
DTYPES = {"float64": dr.float64, "float32": dr.float32}


def gradfn(x, k, neg):
    """The gradient fed at step ``k``: (x - T) * 1.5 + x**3 / 4 - 0.1 k,
    computed in x's dtype (negated for the maximize cases)."""
    dt = x.dtype.type
    t = np.array(T, dtype=x.dtype)
    g = (x - t) * dt(1.5) + x * x * x * dt(0.25) - dt(0.1 * k)
    return np.asarray(-g if neg else g)


SGD_CASES = {
    "plain": dict(lr=0.1),
    "momentum": dict(lr=0.05, momentum=0.9),
    "dampening": dict(lr=0.05, momentum=0.9, dampening=0.3),
    "nesterov": dict(lr=0.05, momentum=0.8, nesterov=True),
    "weight_decay": dict(lr=0.05, weight_decay=0.1),
    "maximize": dict(lr=0.05, momentum=0.7, weight_decay=0.01, maximize=True),
}
ADAM_CASES = {
    "default": dict(),
    "lr": dict(lr=0.1),
    "weight_decay": dict(lr=0.05, weight_decay=0.1),
    "amsgrad": dict(lr=0.05, amsgrad=True),
    "maximize": dict(lr=0.02, betas=(0.5, 0.9), maximize=True),
    "all": dict(lr=0.05, betas=(0.8, 0.99), eps=1e-3, amsgrad=True, weight_decay=0.3),
}


def run(cls, kw, dtype):
    x = dr.tensor(X0, dtype=dtype, requires_grad=True)
    opt = cls([x], **kw)
    out = []
    for k in range(STEPS):
        opt.zero_grad()
        x.grad = dr.from_numpy(gradfn(np.array(x.detach().numpy()), k, kw.get("maximize", False)))
        opt.step()
        assert x.dtype == dtype
        out.append(np.array(x.detach().numpy()))
    return np.array(out)


# Parameter values after each of the 8 steps, from PyTorch 2.13 (the same
# loop with torch.optim.SGD / torch.optim.Adam). float32 values are written
# as the exact float64 value of the float32 result.
SGD_EXPECTED = {
    'plain': {
        'float64': [
            [0.271875, -0.9386718749999999, 1.8],
            [0.09059135208129879, -0.6921943842962384, 1.6942],
            [-0.05301593734291195, -0.48507389621744174, 1.6384978657778],
            [-0.16505982145786569, -0.3044594047933531, 1.6127523189730797],
            [-0.2501884229219559, -0.14308494343341946, 1.605971459442508],
            [-0.3122686505853636, 0.0034510336096140876, 1.611524935990519],
            [-0.35466710674402935, 0.1379333775406584, 1.6251674307140658],
            [-0.3803517123732639, 0.2621777642204867, 1.6440837629356115],
        ],
        'float32': [
            [0.2718749940395355, -0.938671886920929, 1.7999999523162842],
            [0.09059134125709534, -0.692194402217865, 1.6941999197006226],
            [-0.05301593244075775, -0.48507389426231384, 1.6384978294372559],
            [-0.16505981981754303, -0.3044593930244446, 1.6127523183822632],
            [-0.2501884400844574, -0.14308492839336395, 1.6059714555740356],
            [-0.3122686445713043, 0.003451042575761676, 1.6115249395370483],
            [-0.3546670973300934, 0.1379333883523941, 1.6251674890518188],
            [-0.380351722240448, 0.2621777653694153, 1.644083857536316],
        ],
    },
    'momentum': {
        'float64': [
            [0.3859375, -1.0943359375, 1.9],
            [0.18361738095283503, -0.8132812716786748, 1.7367625],
            [-0.07731941379737521, -0.445111905494066, 1.5541081485749115],
            [-0.3663577950625911, -0.026773737741165805, 1.3912415833029594],
            [-0.6534008557841533, 0.4092388834707771, 1.2766582805681153],
            [-0.9092475690323825, 0.8326006027883375, 1.2267743167522474],
            [-1.1069197522668963, 1.211466373420308, 1.2467923636559264],
            [-1.2248522726845306, 1.51186046947583, 1.3320725816559813],
        ],
        'float32': [
            [0.38593751192092896, -1.094335913658142, 1.899999976158142],
            [0.18361741304397583, -0.8132812976837158, 1.736762523651123],
            [-0.07731937617063522, -0.4451119303703308, 1.5541081428527832],
            [-0.3663577437400818, -0.026773767545819283, 1.3912415504455566],
            [-0.6534007787704468, 0.4092388451099396, 1.276658296585083],
            [-0.9092474579811096, 0.8326005339622498, 1.2267743349075317],
            [-1.1069196462631226, 1.2114663124084473, 1.2467924356460571],
            [-1.224852204322815, 1.5118603706359863, 1.3320726156234741],
        ],
    },
    'dampening': {
        'float64': [
            [0.3859375, -1.0943359375, 1.9],
            [0.21351654166698453, -0.8555683745500724, 1.75873375],
            [0.0015428875947711355, -0.5570303334278136, 1.6036604503861904],
            [-0.23131440270108383, -0.22083968079908126, 1.459315761639707],
            [-0.467133660912512, 0.1336702307001088, 1.3445985425568412],
            [-0.6889545445227769, 0.48944056558052823, 1.27199071721157],
            [-0.8810618183585276, 0.8301623304112816, 1.2478563940836742],
            [-1.0297181286485282, 1.1389723240659204, 1.2731209694768166],
        ],
        'float32': [
            [0.38593751192092896, -1.094335913658142, 1.899999976158142],
            [0.21351656317710876, -0.8555683493614197, 1.7587337493896484],
            [0.0015429167542606592, -0.5570303201675415, 1.6036604642868042],
            [-0.23131436109542847, -0.22083967924118042, 1.4593157768249512],
            [-0.46713361144065857, 0.13367021083831787, 1.3445985317230225],
            [-0.6889544725418091, 0.4894405007362366, 1.2719906568527222],
            [-0.8810617327690125, 0.8301622271537781, 1.2478563785552979],
            [-1.029718041419983, 1.1389721632003784, 1.2731209993362427],
        ],
    },
    'nesterov': {
        'float64': [
            [0.2946875, -0.9698046874999999, 1.82],
            [0.05532889280220033, -0.6422333141333539, 1.65365722],
            [-0.18669404572544124, -0.3033240149180157, 1.529078565282135],
            [-0.4076408619589706, 0.02469710674180084, 1.455990110826337],
            [-0.5901094052311459, 0.32680104017681794, 1.4330088073127598],
            [-0.7229317044077475, 0.591562728587496, 1.4521817815199753],
            [-0.8015541762192804, 0.8103103494620768, 1.5019790244227849],
            [-0.8278092309797546, 0.9780092934021165, 1.5695661693217602],
        ],
        'float32': [
            [0.29468750953674316, -0.9698047041893005, 1.8200000524520874],
            [0.055328890681266785, -0.6422333121299744, 1.65365731716156],
            [-0.18669402599334717, -0.30332398414611816, 1.5290786027908325],
            [-0.40764087438583374, 0.024697165936231613, 1.4559900760650635],
            [-0.5901094079017639, 0.3268011212348938, 1.4330087900161743],
            [-0.7229316830635071, 0.591562807559967, 1.4521818161010742],
            [-0.8015541434288025, 0.810310423374176, 1.5019789934158325],
            [-0.82780921459198, 0.9780093431472778, 1.5695661306381226],
        ],
    },
    'weight_decay': {
        'float64': [
            [0.3834375, -1.0880859375, 1.89],
            [0.2820578170459747, -0.9424363289986737, 1.8094091374999999],
            [0.19421269712784045, -0.809078185503253, 1.75060720998002],
            [0.11858411353828006, -0.6852315724552962, 1.7084966872114797],
            [0.054076540048082815, -0.5688912314842544, 1.6794790137424618],
            [-0.00025155983728687324, -0.45857850316322335, 1.6609054167304493],
            [-0.04523143505010493, -0.353186767667201, 1.6507606711136233],
            [-0.08161176351845628, -0.25188111584453177, 1.6474705593503791],
        ],
        'float32': [
            [0.38343751430511475, -1.0880858898162842, 1.8899999856948853],
            [0.28205782175064087, -0.9424362778663635, 1.8094091415405273],
            [0.19421270489692688, -0.8090781569480896, 1.7506072521209717],
            [0.11858411878347397, -0.6852315664291382, 1.7084966897964478],
            [0.05407653748989105, -0.5688912272453308, 1.6794790029525757],
            [-0.0002515651867724955, -0.458578497171402, 1.660905361175537],
            [-0.04523143544793129, -0.3531867563724518, 1.6507606506347656],
            [-0.0816117599606514, -0.25188109278678894, 1.6474705934524536],
        ],
    },
    'maximize': {
        'float64': [
            [0.3856875, -1.0937109375, 1.899],
            [0.20583218268368225, -0.842879655756355, 1.7543233037625001],
            [-0.0007158750917692473, -0.5486750873252502, 1.6131082874416736],
            [-0.20524546696057083, -0.24674222613265345, 1.5049993669343649],
            [-0.38781207214673297, 0.04092759093321397, 1.4430849413347875],
            [-0.5355998063440933, 0.3017055728077936, 1.4282267310285226],
            [-0.6416928600113242, 0.5286281002767569, 1.4535780904827829],
            [-0.7042073154785146, 0.7182158993082082, 1.508188276976671],
        ],
        'float32': [
            [0.3856875002384186, -1.0937108993530273, 1.8990000486373901],
            [0.20583216845989227, -0.8428796529769897, 1.7543233633041382],
            [-0.0007158817024901509, -0.5486750602722168, 1.6131082773208618],
            [-0.20524545013904572, -0.24674218893051147, 1.5049993991851807],
            [-0.3878120481967926, 0.040927618741989136, 1.443084955215454],
            [-0.5355997681617737, 0.30170559883117676, 1.4282267093658447],
            [-0.6416928172111511, 0.5286281108856201, 1.4535781145095825],
            [-0.7042073011398315, 0.7182158827781677, 1.508188247680664],
        ],
    },
}
ADAM_EXPECTED = {
    'default': {
        'float64': [
            [0.49900000000438355, -1.249000000003212, 1.999000000005],
            [0.49800144780669026, -1.2479993161841751, 1.9980017575885725],
            [0.49700541018441124, -1.2469975178771269, 1.9970065935882286],
            [0.49601303645768446, -1.245994193827421, 1.996015953047088],
            [0.4950255640660165, -1.244988952483158, 1.9950314162286364],
            [0.49404432457236663, -1.2439814221993994, 1.9940547105937116],
            [0.4930707500992903, -1.242971251357242, 1.993087723722917],
            [0.49210638018661274, -1.241958108400283, 1.9921325171132127],
        ],
        'float32': [
            [0.49900001287460327, -1.2489999532699585, 1.9989999532699585],
            [0.49800145626068115, -1.2479993104934692, 1.9980016946792603],
            [0.497005432844162, -1.2469974756240845, 1.9970065355300903],
            [0.4960130453109741, -1.245994210243225, 1.9960159063339233],
            [0.4950255751609802, -1.2449889183044434, 1.9950313568115234],
            [0.49404433369636536, -1.2439813613891602, 1.9940546751022339],
            [0.4930707514286041, -1.2429711818695068, 1.993087649345398],
            [0.4921063780784607, -1.2419580221176147, 1.9921324253082275],
        ],
    },
    'lr': {
        'float64': [
            [0.40000000043835615, -1.1500000003212045, 1.9000000005],
            [0.3005111538826129, -1.0501696439973436, 1.8019684753991],
            [0.2019634948581524, -0.9506036574779052, 1.7081610365150355],
            [0.10487401075171389, -0.8513822036492293, 1.621770288956832],
            [0.009865930544178989, -0.7525709774082194, 1.5468030196764004],
            [-0.08231060409750146, -0.6542218511598819, 1.4873683284412347],
            [-0.17075954764129153, -0.5563740001762602, 1.4464727609242207],
            [-0.2544273575473276, -0.4590554274214703, 1.4250961435825509],
        ],
        'float32': [
            [0.4000000059604645, -1.149999976158142, 1.899999976158142],
            [0.3005111515522003, -1.050169587135315, 1.8019684553146362],
            [0.20196348428726196, -0.9506036043167114, 1.7081609964370728],
            [0.10487399995326996, -0.8513821363449097, 1.6217702627182007],
            [0.009865917265415192, -0.7525709271430969, 1.5468029975891113],
            [-0.08231061697006226, -0.6542218327522278, 1.4873683452606201],
            [-0.17075955867767334, -0.5563739538192749, 1.4464727640151978],
            [-0.25442737340927124, -0.4590553641319275, 1.4250961542129517],
        ],
    },
    'weight_decay': {
        'float64': [
            [0.4500000002144772, -1.200000000154403, 1.9500000002272728],
            [0.4001540130453865, -1.1500154775699325, 1.9003677353708677],
            [0.35058400902462755, -1.1000541779087365, 1.8514405409664347],
            [0.3014289529823173, -1.0501219343329822, 1.8036442612208228],
            [0.25284706176813954, -1.0002227082879025, 1.7575078469806964],
            [0.20501819820223743, -0.9503586512838285, 1.713672121592069],
            [0.15814628907594291, -0.9005301858979341, 1.6728853060464413],
            [0.11246158080274932, -0.8507361040234058, 1.6359761513844948],
        ],
        'float32': [
            [0.44999998807907104, -1.2000000476837158, 1.9500000476837158],
            [0.4001539945602417, -1.1500154733657837, 1.9003677368164062],
            [0.3505840003490448, -1.100054144859314, 1.8514405488967896],
            [0.3014289438724518, -1.0501219034194946, 1.8036442995071411],
            [0.2528470456600189, -1.0002226829528809, 1.7575079202651978],
            [0.20501819252967834, -0.9503586292266846, 1.713672161102295],
            [0.15814629197120667, -0.9005301594734192, 1.6728852987289429],
            [0.11246158182621002, -0.8507360816001892, 1.6359761953353882],
        ],
    },
    'amsgrad': {
        'float64': [
            [0.4500000002191781, -1.2000000001606022, 1.95000000025],
            [0.4001529429312606, -1.150013798630492, 1.9004164097955627],
            [0.35057975607554104, -1.100047902567435, 1.8516438268660285],
            [0.3014180660644242, -1.0501068356187866, 1.8041919712278047],
            [0.25282441821434054, -1.0001931941114994, 1.7587057506718526],
            [0.204976640603386, -0.9503077244511181, 1.7159745978565122],
            [0.15807624703436973, -0.9004494196587972, 1.676917721451594],
            [0.11235070398071817, -0.85061563280916, 1.642547418625808],
        ],
        'float32': [
            [0.44999998807907104, -1.2000000476837158, 1.9500000476837158],
            [0.40015292167663574, -1.15001380443573, 1.9004164934158325],
            [0.35057973861694336, -1.1000479459762573, 1.8516439199447632],
            [0.3014180362224579, -1.0501068830490112, 1.804192066192627],
            [0.2528243958950043, -1.0001932382583618, 1.7587058544158936],
            [0.2049766182899475, -0.9503077864646912, 1.7159746885299683],
            [0.1580762267112732, -0.9004495143890381, 1.6769177913665771],
            [0.11235068738460541, -0.8506157398223877, 1.6425474882125854],
        ],
    },
    'maximize': {
        'float64': [
            [0.48000000008767124, -1.2300000000642408, 1.9800000001],
            [0.4601786424592617, -1.2099585738599927, 1.9603041462937314],
            [0.44065056684339016, -1.1898528960545864, 1.9411230183009565],
            [0.42151764844538225, -1.1696659411829426, 1.922657530913456],
            [0.4028667567639383, -1.1493866751097221, 1.905094434315956],
            [0.38477136879214546, -1.12900928929411, 1.8886082782891933],
            [0.36729539603890704, -1.1085320083541614, 1.8733674259542632],
            [0.35049772393231243, -1.0879558868424353, 1.8595414596482212],
        ],
        'float32': [
            [0.47999998927116394, -1.2300000190734863, 1.9800000190734863],
            [0.4601786434650421, -1.209958553314209, 1.9603041410446167],
            [0.4406505823135376, -1.1898528337478638, 1.9411230087280273],
            [0.42151767015457153, -1.1696659326553345, 1.9226574897766113],
            [0.40286678075790405, -1.1493866443634033, 1.9050943851470947],
            [0.3847714066505432, -1.1290092468261719, 1.8886082172393799],
            [0.36729544401168823, -1.1085319519042969, 1.8733673095703125],
            [0.3504977822303772, -1.0879558324813843, 1.8595412969589233],
        ],
    },
    'all': {
        'float64': [
            [0.45002055709733785, -1.2000143295986816, 1.9500192233756248],
            [0.4003125751602555, -1.1500652486987333, 1.90052452336274],
            [0.35108504324596573, -1.1001721306763865, 1.8519217341834135],
            [0.3025696478588805, -1.0503503399071141, 1.80468543099519],
            [0.2550217107450146, -1.00061113564653, 1.7593613722824506],
            [0.20872091783025615, -0.9509616936034857, 1.71656381518383],
            [0.1639716496305102, -0.9014052387427441, 1.6769647111369732],
            [0.12110263348731751, -0.8519412776985329, 1.6412716577854116],
        ],
        'float32': [
            [0.45002055168151855, -1.200014352798462, 1.9500192403793335],
            [0.4003125727176666, -1.150065302848816, 1.9005244970321655],
            [0.35108503699302673, -1.1001721620559692, 1.8519216775894165],
            [0.3025696277618408, -1.0503504276275635, 1.804685354232788],
            [0.25502169132232666, -1.0006111860275269, 1.7593612670898438],
            [0.20872089266777039, -0.9509617686271667, 1.7165637016296387],
            [0.16397163271903992, -0.9014053344726562, 1.6769646406173706],
            [0.12110261619091034, -0.8519413471221924, 1.6412715911865234],
        ],
    },
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", list(SGD_CASES))
def test_sgd_matches_pytorch_bit_for_bit(case, dtype):
    got = run(dr.optim.SGD, SGD_CASES[case], DTYPES[dtype])
    expected = np.array(SGD_EXPECTED[case][dtype], dtype=DTYPES[dtype].numpy)
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", list(ADAM_CASES))
def test_adam_matches_pytorch(case, dtype):
    got = run(dr.optim.Adam, ADAM_CASES[case], DTYPES[dtype])
    expected = np.array(ADAM_EXPECTED[case][dtype])
    if dtype == "float32":
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)
    else:
        np.testing.assert_allclose(got, expected, rtol=1e-14, atol=1e-15)


def test_amsgrad_case_exercises_the_maximum():
    plain = run(dr.optim.Adam, dict(lr=0.05), dr.float64)
    ams = run(dr.optim.Adam, dict(lr=0.05, amsgrad=True), dr.float64)
    assert not np.array_equal(plain, ams)


def test_adam_first_step_moves_by_lr():
    x = dr.tensor([3.0, -2.0, 0.5], requires_grad=True)
    opt = dr.optim.Adam([x], lr=0.1)
    x.grad = dr.tensor([10.0, -0.5, 4.0])
    opt.step()
    np.testing.assert_allclose(x.detach().numpy(), [2.9, -1.9, 0.4], rtol=1e-7)


# -- the seed tutorial's optimizer example -------------------------------------

def tutorial_program():
    x = dr.tensor(0.0, requires_grad=True)
    a = dr.tensor(1.0)
    b = dr.tensor(-2.0)
    c = dr.tensor(1.0)

    def f(t):
        result = a * dr.pow(t, 2) + b * x + c
        return result

    optimizer = dr.optim.SGD(params=[x], lr=0.01)
    for i in range(500):
        optimizer.zero_grad()
        y = f(x)
        y.backward()
        optimizer.step()
    return f"y = {f(x).data}; x = {x.data}"


@pytest.fixture
def float32_default():
    dr.set_default_dtype(dr.float32)
    try:
        yield
    finally:
        dr.set_default_dtype(dr.float64)


def test_tutorial_example_float32(float32_default):
    # printed by PyTorch 2.13 under its default float32
    assert tutorial_program() == "y = 0.0; x = 0.9999589920043945"


def test_tutorial_example_float64():
    # printed by PyTorch 2.13 under torch.set_default_dtype(torch.float64)
    assert tutorial_program() == "y = 1.6829673210594365e-09; x = 0.9999589760148547"


# -- through autograd, with a closure -------------------------------------------

# From PyTorch 2.13: final x and the losses returned by step(closure) for
# loss = ((x - T) ** 2).sum() + (x * x * x).sum() * 0.1, 5 steps.
CLOSURE_EXPECTED = {
    ("adam", "float64"): ([0.004829603855948661, -0.7525381898849881, 1.5482836419377826],
                          [5.9296875, 5.232712502619786, 4.604836059178253, 4.044956661161665,
                           3.549390492277353]),
    ("sgd", "float64"): ([-1.1981505763791473, 0.5886378406048746, 1.4792101067977812],
                         [5.9296875, 4.192204717857028, 2.491486112403499, 1.2392628789116196,
                          0.595791983324947]),
    ("adam", "float32"): ([0.004829607903957367, -0.7525380849838257, 1.548283576965332],
                          [5.9296875, 5.232712745666504, 4.604836463928223, 4.044956684112549,
                           3.5493903160095215]),
    ("sgd", "float32"): ([-1.198150634765625, 0.5886377692222595, 1.4792101383209229],
                         [5.9296875, 4.19220495223999, 2.491486072540283, 1.2392629384994507,
                          0.5957919955253601]),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", ["adam", "sgd"])
def test_closure_with_backward_matches_pytorch(name, dtype):
    x = dr.tensor(X0, dtype=DTYPES[dtype], requires_grad=True)
    t = dr.tensor(T, dtype=DTYPES[dtype])
    if name == "adam":
        opt = dr.optim.Adam([x], lr=0.1)
    else:
        opt = dr.optim.SGD([x], lr=0.05, momentum=0.9, nesterov=True)
    calls = []

    def closure():
        calls.append(dr.is_grad_enabled())
        opt.zero_grad()
        loss = ((x - t) ** 2).sum() + (x * x * x).sum() * 0.1
        loss.backward()
        return loss

    losses = []
    with dr.no_grad():  # the closure still records: step switches grad mode on for it
        for _ in range(5):
            losses.append(opt.step(closure).item())
    assert calls == [True] * 5
    final, expected_losses = CLOSURE_EXPECTED[(name, dtype)]
    rtol = 1e-6 if dtype == "float32" else 1e-13
    np.testing.assert_allclose(x.detach().numpy(), final, rtol=rtol)
    np.testing.assert_allclose(losses, expected_losses, rtol=rtol)


def test_step_without_closure_returns_none():
    x = dr.tensor([1.0], requires_grad=True)
    opt = dr.optim.SGD([x], lr=0.1)
    x.grad = dr.tensor([1.0])
    assert opt.step() is None


# -- in place, outside the graph --------------------------------------------------

@pytest.mark.parametrize("cls", [dr.optim.SGD, dr.optim.Adam])
@pytest.mark.parametrize("dtype", [dr.float64, dr.float32])
def test_update_is_in_place_and_keeps_dtype(cls, dtype):
    x = dr.tensor([1.0, 2.0], dtype=dtype, requires_grad=True)
    storage = x._value
    version = x._version
    opt = cls([x], lr=0.1)
    (x * x).sum().backward()
    opt.step()  # grad mode is on here: the optimizer must switch it off itself
    assert x._value is storage
    assert x._version > version
    assert x.dtype == dtype and x.is_leaf and x.grad_fn is None and x.requires_grad
    assert not np.array_equal(x.detach().numpy(), [1.0, 2.0])
    for value in opt.state[x].values():
        if value.dtype.is_floating_point and value.ndim > 0:
            assert value.dtype == dtype and not value.requires_grad


def test_step_changes_a_tensor_saved_for_backward():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    opt = dr.optim.SGD([x], lr=0.1)
    (x * x).sum().backward()
    y = (x * x).sum()
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_momentum_buffer_is_a_copy_of_the_first_gradient():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    opt = dr.optim.SGD([x], lr=0.1, momentum=0.9, dampening=0.5)
    x.grad = dr.tensor([1.0, -1.0])
    opt.step()
    buf = opt.state[x]["momentum_buffer"]
    # the first buffer is the gradient itself: no dampening
    np.testing.assert_array_equal(buf.numpy(), [1.0, -1.0])
    x.grad.zero_()
    np.testing.assert_array_equal(buf.numpy(), [1.0, -1.0])
    opt.step()  # buf = 0.9 * buf + 0.5 * 0
    np.testing.assert_allclose(buf.numpy(), [0.9, -0.9])


def test_adam_state_layout():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    opt = dr.optim.Adam([x], amsgrad=True)
    x.grad = dr.tensor([1.0, -1.0])
    opt.step()
    opt.step()
    state = opt.state[x]
    assert sorted(state) == ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]
    assert state["step"].item() == 2.0 and state["step"].ndim == 0
    assert state["exp_avg"].shape == x.shape


def test_adam_step_count_dtype_follows_default_dtype(float32_default):
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    opt = dr.optim.Adam([x])
    x.grad = dr.tensor([1.0, -1.0])
    opt.step()
    assert opt.state[x]["step"].dtype == dr.float32
    assert opt.state[x]["exp_avg"].dtype == dr.float32


# -- zero_grad ---------------------------------------------------------------------

def test_zero_grad_sets_to_none_by_default():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    opt = dr.optim.SGD([x], lr=0.1)
    (x * x).sum().backward()
    opt.zero_grad()
    assert x.grad is None
    opt.zero_grad()  # no grad at all: nothing to do
    assert x.grad is None


def test_zero_grad_in_place():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    opt = dr.optim.SGD([x], lr=0.1)
    (x * x).sum().backward()
    grad = x.grad
    opt.zero_grad(set_to_none=False)
    assert x.grad is grad
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])
    (x * x).sum().backward()  # accumulates onto the zeros
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])


def test_zero_grad_in_place_detaches_a_graph_gradient():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    opt = dr.optim.SGD([x], lr=0.1)
    (x * x * x).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    opt.zero_grad(set_to_none=False)
    assert x.grad.grad_fn is None and not x.grad.requires_grad
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])


# -- parameters without a gradient ------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda ps: dr.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1),
    lambda ps: dr.optim.Adam(ps, lr=0.1, weight_decay=0.1),
])
def test_parameters_without_grad_are_skipped(make):
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    unused = dr.tensor([3.0, 4.0], requires_grad=True)
    opt = make([x, unused])
    for _ in range(2):
        opt.zero_grad()
        (x * x).sum().backward()
        opt.step()
    np.testing.assert_array_equal(unused.detach().numpy(), [3.0, 4.0])
    assert unused._version == 0
    assert len(opt.state[unused]) == 0
    assert len(opt.state[x]) > 0
    assert not np.array_equal(x.detach().numpy(), [1.0, 2.0])


# -- parameter groups -----------------------------------------------------------------

def test_param_groups_with_different_lr():
    a = dr.tensor([1.0, 1.0], requires_grad=True)
    b = dr.tensor([1.0, 1.0], requires_grad=True)
    opt = dr.optim.SGD([{"params": [a]}, {"params": b, "lr": 0.25, "momentum": 0.5}], lr=0.5)
    g0, g1 = opt.param_groups
    assert g0["params"] == [a] and g1["params"] == [b]
    assert g0["lr"] == 0.5 and g0["momentum"] == 0
    assert g1["lr"] == 0.25 and g1["momentum"] == 0.5
    assert g1["dampening"] == 0 and g1["nesterov"] is False and g1["maximize"] is False
    a.grad = dr.tensor([2.0, 2.0])
    b.grad = dr.tensor([2.0, 2.0])
    opt.step()
    np.testing.assert_array_equal(a.detach().numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(b.detach().numpy(), [0.5, 0.5])
    assert "momentum_buffer" not in opt.state[a] and "momentum_buffer" in opt.state[b]
    # changing a group's lr takes effect at the next step (as LR schedulers do)
    g0["lr"] = 0.125
    opt.step()
    np.testing.assert_array_equal(a.detach().numpy(), [-0.25, -0.25])
    np.testing.assert_array_equal(b.detach().numpy(), [-0.25, -0.25])  # buf = 0.5*2 + 2 = 3


def test_add_param_group():
    a = dr.tensor([1.0], requires_grad=True)
    b = dr.tensor([1.0], requires_grad=True)
    opt = dr.optim.Adam([a], lr=0.1, betas=(0.5, 0.6))
    opt.add_param_group({"params": b, "lr": 0.2})
    assert len(opt.param_groups) == 2
    assert opt.param_groups[1]["params"] == [b]
    assert opt.param_groups[1]["lr"] == 0.2 and opt.param_groups[1]["betas"] == (0.5, 0.6)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([a])


def test_lr_may_be_a_tensor():
    x = dr.tensor([1.0], requires_grad=True)
    opt = dr.optim.SGD([x], lr=dr.tensor(0.5))
    x.grad = dr.tensor([1.0])
    opt.step()
    np.testing.assert_array_equal(x.detach().numpy(), [0.5])


def test_repr():
    x = dr.tensor([1.0], requires_grad=True)
    opt = dr.optim.SGD([x], lr=0.1, momentum=0.9)
    assert repr(opt) == ("SGD (\nParameter Group 0\n    dampening: 0\n    lr: 0.1\n"
                         "    maximize: False\n    momentum: 0.9\n    nesterov: False\n"
                         "    weight_decay: 0\n)")


# -- state_dict -------------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda ps: dr.optim.SGD(ps, lr=0.1, momentum=0.9),
    lambda ps: dr.optim.Adam(ps, lr=0.1, amsgrad=True),
])
def test_state_dict_round_trip(make):
    def grad_of(p):
        return dr.from_numpy(gradfn(np.array(p.detach().numpy()), 0, False))

    x = dr.tensor(X0, requires_grad=True)
    unused = dr.tensor([0.0], requires_grad=True)
    opt = make([x, unused])
    for _ in range(3):
        x.grad = grad_of(x)
        opt.step()
    saved = opt.state_dict()
    assert list(saved["state"]) == [0]
    assert saved["param_groups"][0]["params"] == [0, 1]
    assert saved["param_groups"][0]["lr"] == 0.1

    y = dr.tensor(x.detach().numpy(), requires_grad=True)
    other = make([y, dr.tensor([0.0], requires_grad=True)])
    other.load_state_dict(saved)
    assert other.param_groups[0]["params"][0] is y
    for _ in range(3):
        x.grad = grad_of(x)
        opt.step()
        y.grad = grad_of(y)
        other.step()
    np.testing.assert_array_equal(x.detach().numpy(), y.detach().numpy())
    # the loaded state is a copy: the two optimizers do not share buffers
    for key, value in opt.state[x].items():
        assert other.state[y][key] is not value


def test_load_state_dict_checks_layout():
    x = dr.tensor([1.0], requires_grad=True)
    y = dr.tensor([1.0], requires_grad=True)
    saved = dr.optim.SGD([x, y], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        dr.optim.SGD([{"params": [x]}, {"params": [y]}], lr=0.1).load_state_dict(saved)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        dr.optim.SGD([x], lr=0.1).load_state_dict(saved)


# -- argument validation (PyTorch's messages) ---------------------------------------------

@pytest.fixture
def params():
    return [dr.tensor([1.0], requires_grad=True)]


@pytest.mark.parametrize("kwargs, message", [
    (dict(lr=-1), "Invalid learning rate: -1"),
    (dict(lr=-0.5), "Invalid learning rate: -0.5"),
    (dict(momentum=-0.1), "Invalid momentum value: -0.1"),
    (dict(weight_decay=-1e-4), "Invalid weight_decay value: -0.0001"),
    (dict(nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    (dict(momentum=0.9, dampening=0.1, nesterov=True),
     "Nesterov momentum requires a momentum and zero dampening"),
])
def test_sgd_validation(params, kwargs, message):
    with pytest.raises(ValueError) as info:
        dr.optim.SGD(params, **kwargs)
    assert str(info.value) == message


@pytest.mark.parametrize("kwargs, message", [
    (dict(lr=-1), "Invalid learning rate: -1"),
    (dict(lr=float("nan")), "Invalid learning rate: nan"),
    (dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
    (dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    (dict(betas=(-0.1, 0.999)), "Invalid beta parameter at index 0: -0.1"),
    (dict(betas=(0.9, 1)), "Invalid beta parameter at index 1: 1"),
    (dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
])
def test_adam_validation(params, kwargs, message):
    with pytest.raises(ValueError) as info:
        dr.optim.Adam(params, **kwargs)
    assert str(info.value) == message


def test_sgd_nesterov_with_momentum_is_fine(params):
    dr.optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True)


def test_params_validation():
    x = dr.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts"):
        dr.optim.SGD(x, lr=0.1)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        dr.optim.SGD([], lr=0.1)
    with pytest.raises(TypeError) as info:
        dr.optim.SGD([1.0], lr=0.1)
    assert str(info.value) == "optimizer can only optimize Tensors, but one of the params is float"
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        dr.optim.SGD([x * 2], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        dr.optim.SGD([{"params": {x}}], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        dr.optim.SGD([{"params": [x]}, {"params": [x]}], lr=0.1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dr.optim.SGD([x, x], lr=0.1)
    assert any("duplicate parameters" in str(w.message) for w in caught)


def test_base_optimizer_step_is_abstract():
    x = dr.tensor([1.0], requires_grad=True)
    opt = dr.optim.Optimizer([x], {"lr": 0.1})
    assert opt.param_groups[0]["lr"] == 0.1
    with pytest.raises(NotImplementedError):
        opt.step()


# -- special values ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [dr.float64, dr.float32])
def test_special_values_like_pytorch(dtype):
    # results printed by PyTorch 2.13 for the same steps; no NumPy warnings either
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = dr.tensor([-0.0, 1.0, 2.0], dtype=dtype, requires_grad=True)
        opt = dr.optim.SGD([x], lr=0.1)
        x.grad = dr.tensor([0.0, float("inf"), float("nan")], dtype=dtype)
        opt.step()
        got = x.detach().numpy()
        assert got[0] == 0 and np.signbit(got[0])  # -0.0 stays -0.0
        assert got[1] == -np.inf and np.isnan(got[2])

        s = dr.tensor(-0.0, dtype=dtype, requires_grad=True)
        opt = dr.optim.SGD([s], lr=0.1, momentum=0.9)
        s.grad = dr.tensor(0.0, dtype=dtype)
        opt.step()
        assert np.signbit(s.item()) and s.item() == 0

        y = dr.tensor([-0.0, 1.0, 3.0], dtype=dtype, requires_grad=True)
        opt = dr.optim.Adam([y], lr=0.1, eps=0.0)
        y.grad = dr.tensor([0.0, float("nan"), 0.0], dtype=dtype)
        opt.step()  # 0 / (0 + 0) is NaN, silently, as in PyTorch
        got = y.detach().numpy()
        assert np.isnan(got[0]) and np.isnan(got[1]) and np.isnan(got[2])
